// The benchmark's world: one generated tree, a mailbackup destination, and a place for each
// competitor (rsync copies, an rsnapshot root, a restic repository), all under one base dir.
// No database is configured (database.enabled: false): every tool copies the same files, so the
// comparison is about the file engine, not about a dump only mailbackup makes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const harnessUrl = new URL('../../dist/test-harness.mjs', import.meta.url);
export const cliFile = new URL('../../dist/mailbackup.mjs', import.meta.url).pathname;

/** Local calendar date `offset` days from today, YYYY-MM-DD. */
export function dayLabel(offset) {
  const d = new Date(Date.now() + offset * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function mailbackupConfig(w, retention) {
  return {
    source: { root: w.source, mail: 'data/mail', certbot: 'data/certbot', dkim: 'config/opendkim', config: ['docker-compose.yml', '.env', 'config', 'scripts'], logs: 'logs', exclude: [] },
    destination: { root: w.destRoot },
    database: { runtime: 'docker', container: 'mailserver-mariadb', user: 'root', credentialsFile: w.credentialsFile, enabled: false },
    retention,
    log: { dir: w.logDir, level: 'debug' },
    // Same priority as the competitors: the nightly default (nice 19, idle I/O) is not what we time.
    priority: { nice: 0, ioniceClass: 0 },
    retry: { attempts: 1, backoffMs: 0 },
  };
}

// rsnapshot wants TABs between fields and trailing slashes on directories.
function rsnapshotConf(w) {
  return [
    ['config_version', '1.2'],
    ['snapshot_root', `${w.rsnapshotRoot}/`],
    ['cmd_cp', '/bin/cp'],
    ['cmd_rm', '/bin/rm'],
    ['cmd_rsync', '/usr/bin/rsync'],
    ['retain', 'daily', '7'],
    ['verbose', '1'],
    ['loglevel', '2'],
    ['lockfile', join(w.base, 'rsnapshot.pid')],
    ['backup', `${w.source}/`, 'localhost/'],
  ].map((f) => f.join('\t')).join('\n') + '\n';
}

/** Generates the tree (timed) and lays out every destination. */
export async function createWorld(opts) {
  const { generateMailTree, simulateDay, prepareDestination } = await import(harnessUrl.href);
  const parent = opts.dir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const base = mkdtempSync(join(parent, 'mailbackup-bench-'));
  const fs = mountScratchFs(base, opts);
  const w = {
    base,
    fs,
    source: join(base, 'source'),
    destRoot: join(base, 'disk', 'mailserver'),
    logDir: join(base, 'log'),
    credentialsFile: join(base, 'my.cnf'),
    configPath: join(base, 'config.yml'),
    rotateConfigPath: join(base, 'config-rotate.yml'),
    noIndexConfigPath: join(base, 'config-no-index.yml'),
    rsyncFull: join(base, 'rsync', 'full'),
    rsyncInc: join(base, 'rsync', 'inc'),
    rsyncInc2: join(base, 'rsync', 'inc2'),
    scratch: join(base, 'rsync', 'scratch'),
    rsnapshotRoot: join(base, 'rsnapshot'),
    rsnapshotConf: join(base, 'rsnapshot.conf'),
    resticRepo: join(base, 'restic'),
    // D0: the first full backup, D1: after the simulated day, D2: after the read-only day
    dates: { d0: dayLabel(-2), d1: dayLabel(-1), d2: dayLabel(0) },
    prepareDestination,
  };
  // Pinned copy of the build: others may rebuild dist/ while a long benchmark runs.
  w.cli = join(base, 'mailbackup.mjs');
  copyFileSync(cliFile, w.cli);
  w.harness = { generateMailTree, simulateDay };
  const t0 = Date.now();
  w.tree = generateMailTree(w.source, opts.preset.tree);
  w.generateMs = Date.now() - t0;
  mkdirSync(w.logDir, { recursive: true });
  mkdirSync(join(base, 'rsync'), { recursive: true });
  mkdirSync(w.rsnapshotRoot, { recursive: true });
  writeFileSync(w.credentialsFile, '[client]\npassword=unused\n', { mode: 0o600 });
  // JSON is YAML: the config loader reads either.
  writeFileSync(w.configPath, JSON.stringify(mailbackupConfig(w, { daily: 100, weekly: 0 }), null, 2), { mode: 0o600 });
  writeFileSync(w.noIndexConfigPath, JSON.stringify({ ...mailbackupConfig(w, { daily: 100, weekly: 0 }), messageIndex: false }, null, 2), { mode: 0o600 });
  writeFileSync(w.rotateConfigPath, JSON.stringify(mailbackupConfig(w, { daily: 2, weekly: 0 }), null, 2), { mode: 0o600 });
  writeFileSync(w.rsnapshotConf, rsnapshotConf(w));
  w.resticEnv = {
    ...process.env,
    RESTIC_REPOSITORY: w.resticRepo,
    RESTIC_PASSWORD: 'benchmark-only-password',
    RESTIC_CACHE_DIR: join(base, 'restic-cache'),
  };
  return w;
}

/** An empty mailbackup destination (marker only), for a fresh first backup. */
export function resetDestination(w) {
  rmSync(join(w.base, 'disk'), { recursive: true, force: true });
  mkdirSync(join(w.base, 'disk'), { recursive: true });
  w.prepareDestination(w.destRoot);
}

export function removeWorld(w) {
  if (!w.fs?.image) rmSync(w.base, { recursive: true, force: true, maxRetries: 3 });
  else {
    // the image goes as a whole: no need to delete a million files inside it first
    try {
      execFileSync('umount', [w.base], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', w.base], { stdio: 'pipe' });
    }
    rmSync(w.base, { recursive: true, force: true });
    rmSync(w.fs.image, { force: true });
  }
}

/**
 * Everything the benchmark writes lives on a fresh ext4 made with mkfs.ext4's defaults (a
 * journal), as on the admin's backup disk. The machine's own root filesystem may differ in a way
 * that decides the result: on an ext4 without a journal every new inode costs a scan of recently
 * freed ones for 30 s after a mass delete (the kernel's recently_deleted()), and the benchmark
 * deletes a snapshot between repetitions — measured: rsync -a of 200k files 4.6 s, 38 s right
 * after an rm -rf. `--fs dir` uses the directory as it is (also what a non-root run gets).
 */
function mountScratchFs(base, opts) {
  if (opts.fs === 'dir' || process.getuid?.() !== 0) return { kind: 'dir' };
  const gib = { tiny: 2, small: 12, medium: 60, scale: 80 }[opts.size] ?? 60;
  const image = `${base}.ext4`;
  execFileSync('truncate', ['-s', `${gib}G`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', '-i', '8192', '-E', 'lazy_itable_init=0,lazy_journal_init=0,nodiscard', image], { stdio: 'pipe' });
  // discard: blocks freed inside give the sparse image's space back to the machine
  execFileSync('mount', ['-o', 'loop,discard', image, base], { stdio: 'pipe' });
  return { kind: 'loop', image, sizeGiB: gib };
}
