// `npm run demo`: a generated mail server, a throwaway MariaDB behind the docker shim, a backup disk
// (loop-mounted ext4 when root, else a temp dir), then the REAL CLI: two daily backups around a
// simulated day of mail activity, `list`, and what ended up on the disk. --keep leaves it all in place.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const harnessPath = new URL('../dist/test-harness.mjs', import.meta.url);
if (!existsSync(harnessPath)) {
  console.error('demo: dist/test-harness.mjs is missing; run `npm run build` first (or `npm run demo`, which builds)');
  process.exit(1);
}
const { createFixture, simulateDay } = await import(harnessPath.href);

const keep = process.argv.includes('--keep');
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const [yesterday, today] = [day(-1), day(0)];
const title = (s) => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const sh = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return (r.stdout + r.stderr).trimEnd();
};

// Ctrl-C: the harness's exit hooks stop MariaDB, unmount the disk and remove the temp dirs.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

title('building a mail server, a throwaway MariaDB and a backup disk');
const fx = await createFixture({ tree: { seed: 2024, domains: 2, usersPerDomain: 3, messagesPerFolder: 20 }, config: { log: { level: 'info' } } });
console.log(`source.root        ${fx.sourceRoot} (${fx.tree.totalMessages} messages, ${fx.tree.users.length} mailboxes)`);
console.log(`destination.root   ${fx.destRoot} (${sh('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', fx.mountDir]) || 'plain directory, not a mount'})`);
console.log(`config             ${fx.configPath}`);
console.log(`docker shim        ${fx.shim.binDir} (containers: mailserver-mariadb, mailserver-dovecot)`);


let failed = false;
async function cli(args) {
  console.log(`\n$ mailbackup ${args.join(' ')}`);
  const r = await fx.run(args);
  // stderr carries the run log; show only what a cron mail would (warnings, errors).
  const problems = r.stderr.split('\n').filter((l) => /\b(WARN|ERROR|FATAL)\b|^mailbackup:/.test(l));
  const out = [r.stdout.trimEnd(), ...problems].filter(Boolean).join('\n');
  if (out) console.log(out.split('\n').map((l) => `  ${l}`).join('\n'));
  console.log(`  (exit ${r.code})`);
  if (r.code > 1) failed = true;
  return r;
}

try {
  title(`first backup, labelled ${yesterday}`);
  await cli(['backup', '--date', yesterday]);

  title('one day of mail: deliveries, reads (renames), moves, expunges');
  const activity = simulateDay(fx.sourceRoot, { seed: 7, newFraction: 0.03, readFraction: 0.05, moveFraction: 0.01, expungeFraction: 0.01 });
  console.log(activity.counts);

  title(`second backup, labelled ${today}`);
  await cli(['backup', '--date', today]);
  await cli(['list']);

  const daily = join(fx.destRoot, 'daily');
  const snapshots = existsSync(daily) ? readdirSync(daily).filter((d) => !d.includes('.')).sort() : [];
  if (snapshots.length === 0) {
    failed = true;
    console.log('\nno snapshot was made; see the output above');
  } else {
    title('on the backup disk');
    console.log(sh('ls', ['-la', fx.destRoot]));
    const newestName = snapshots.at(-1);
    console.log(`\ndaily/${newestName}/ (two levels)`);
    const listing = spawnSync('find', ['.', '-mindepth', '1', '-maxdepth', '2', '-printf', '%p\\t%M\\t%U:%G\\t%s\\n'], { cwd: join(daily, newestName), encoding: 'utf8' });
    const rows = listing.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')).sort((a, b) => a[0].localeCompare(b[0]));
    for (const [path, mode, owner, size] of rows) console.log(`  ${mode} ${owner.padStart(9)} ${size.padStart(8)}  ${path.slice(2)}`);

    title('du -sh (one du call: the second snapshot only counts what is new, the rest are hardlinks)');
    console.log(sh('du', ['-sh', ...snapshots.map((s) => join(daily, s))]));

    const newest = join(daily, snapshots.at(-1));
    title(`cd daily/${snapshots.at(-1)} && sha256sum -c --quiet manifest.sha256`);
    const check = spawnSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: newest, encoding: 'utf8' });
    const lines = existsSync(join(newest, 'manifest.sha256')) ? readFileSync(join(newest, 'manifest.sha256'), 'utf8').split('\n').filter(Boolean).length : 0;
    console.log(check.status === 0 ? `OK: all ${lines} files match` : `FAILED (exit ${check.status})\n${(check.stdout + check.stderr).slice(0, 2000)}`);
    if (check.status !== 0) failed = true;

    title(`backup.json of daily/${snapshots.at(-1)} (excerpt)`);
    const metaPath = join(newest, 'backup.json');
    if (existsSync(metaPath)) {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      const line = (v) => JSON.stringify(v);
      console.log(line({ format: meta.format, date: meta.date, kind: meta.kind, status: meta.status, startedAt: meta.startedAt, finishedAt: meta.finishedAt }));
      console.log('components:');
      for (const [k, v] of Object.entries(meta.components ?? {})) console.log(`  ${k.padEnd(10)} ${line(v)}`);
      console.log('databases:');
      for (const [k, v] of Object.entries(meta.databases ?? {})) console.log(`  ${k.padEnd(14)} ${line({ file: v.file, bytes: v.bytes, tables: v.tables })}`);
      console.log(`warnings: ${line(meta.warnings)}\nverification: ${line(meta.verification)}`);
    } else console.log('(no backup.json)');
  }
  // the admin's week at a glance: with two nights, the forecast says it needs more data
  title('the weekly report (mailbackup report; cron mails it on Monday with --mail)');
  await cli(['report']);
} finally {
  if (keep) {
    fx.keep();
    title('kept (--keep)');
    console.log(`everything is under ${fx.base} and ${fx.mountDir}; MariaDB pid file: ${fx.mariadb?.socketDir}/mysqld.pid`);
    console.log(`try: PATH=${fx.shim.binDir}:$PATH MAILBACKUP_SHIM_STATE=${fx.shim.statePath} node dist/mailbackup.mjs --config ${fx.configPath} status`);
    const dbDir = fx.mariadb ? join(fx.mariadb.socketDir, '..') : '';
    console.log(`clean up: kill $(cat ${fx.mariadb?.socketDir}/mysqld.pid); umount ${fx.mountDir}; rm -rf ${fx.base} ${join(fx.mountDir, '..')} ${dbDir}`);
  } else {
    await fx.cleanup();
  }
}
process.exit(failed ? 1 : 0);
