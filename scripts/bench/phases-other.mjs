// verify (full and daily) against sha256sum -c, deleting an expired snapshot against rm -rf,
// status and list over 42 snapshots, and the "only marked read" day.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exclusiveBytes } from './exclusive.mjs';
import { dayLabel } from './world.mjs';

const dailyDir = (w, date) => join(w.destRoot, 'daily', date);

function parseJson(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

export async function verify(w, opts, r, log) {
  log('verify');
  const snap = dailyDir(w, w.dates.d1);
  let checked;
  const shaArgs = ['-c', '--quiet', 'manifest.sha256'];
  const sha = () => r.tool('sha256sum -c', 'sha256sum', shaArgs, { cwd: snap });
  // warm-up: one untimed sha256sum -c, so that neither side is the one reading the snapshot cold
  // (at 1,000,000 files and one run, verify went first and paid for it)
  const full = await r.repeat({
    mailbackup: () => r.cli('verify', ['--json', 'verify', '--full', w.dates.d1]),
    sha256sum: sha,
  }, undefined, { warmup: () => r.sh('sha256sum', shaArgs, { cwd: snap }) });
  const daily = await r.repeat({
    mailbackup: async () => {
      const run = await r.cli('verify', ['--json', 'verify', w.dates.d1]);
      checked = parseJson(run.stdout);
      return run;
    },
  });
  r.results.info.dailyVerify = checked;
  r.results.rows.push({ id: 'verify-full', what: 'verify --full', mailbackup: full.mailbackup, baseline: { name: 'sha256sum -c', ...full.sha256sum }, target: { max: 1 / 3, text: '≥ 3 × faster than sha256sum -c' } });
  // "reads only new data": how many files the daily verify hashed against the new inodes the
  // incremental wrote (the manifest's own count of files it had to hash).
  const c = checked?.reports?.[0]?.checked;
  const newInodes = r.results.profiles.incremental?.manifest?.hashed;
  const what = c ? `verify (daily default): hashed ${c.hashed} of ${c.files} files; ${newInodes ?? '?'} new inodes` : 'verify (daily default)';
  r.results.rows.push({ id: 'verify-daily', what, mailbackup: daily.mailbackup, baseline: { name: 'sha256sum -c', ...full.sha256sum }, target: { text: 'reads only new data' } });
}

/** A copy of snapshot `fromDate` named `toDate`, all files hardlinked except a rewritten backup.json. */
async function cloneSnapshot(w, r, fromDate, toDate) {
  const to = dailyDir(w, toDate);
  await r.sh('cp', ['-al', dailyDir(w, fromDate), to]);
  const metaPath = join(to, 'backup.json');
  const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
  meta.date = toDate;
  // A new inode: the original snapshot's backup.json must not change with it.
  writeFileSync(`${metaPath}.tmp`, JSON.stringify(meta, null, 2), { mode: 0o600 });
  renameSync(`${metaPath}.tmp`, metaPath);
}

export async function deletion(w, opts, r, log) {
  log('deleting an expired snapshot');
  const victim = dayLabel(-60);
  const copy = join(w.base, 'rm-copy');
  const times = await r.repeat({
    mailbackup: async () => {
      await cloneSnapshot(w, r, w.dates.d0, victim);
      const run = await r.cli('rotate', ['--json', 'rotate'], { config: w.rotateConfigPath });
      const deleted = parseJson(run.stdout)?.deleted ?? [];
      if (!deleted.includes(`daily/${victim}`) && !deleted.includes(victim)) {
        throw new Error(`rotate deleted ${JSON.stringify(deleted)}, expected daily/${victim}:\n${run.stdout.slice(0, 2000)}`);
      }
      return run;
    },
    'rm -rf': async () => {
      await r.sh('cp', ['-al', dailyDir(w, w.dates.d0), copy]);
      return r.tool('rm -rf', 'rm', ['-rf', copy]);
    },
  });
  r.results.rows.push({ id: 'delete', what: 'delete an expired snapshot (rotate)', mailbackup: times.mailbackup, baseline: { name: 'rm -rf', ...times['rm -rf'] }, target: { max: 1.1, text: '≤ 1.1 × rm -rf' } });
}

export async function statusAndList(w, opts, r, log) {
  const n = opts.preset.clones;
  log(`status and list over ${n + 2} snapshots (${n} made with cp -al of ${w.dates.d1} and a rewritten backup.json)`);
  for (let k = 0; k < n; k++) await cloneSnapshot(w, r, w.dates.d1, dayLabel(-3 - k));
  r.results.info.snapshotsForStatus = n + 2;
  const times = await r.repeat({
    status: () => r.cli('status', ['status'], { okCodes: [0, 1, 2, 3] }),
    list: () => r.cli('list', ['list']),
    // every snapshot's messages.index, one Japanese subject (the generator's UTF-8 encoded ones)
    find: () => r.cli('find', ['find', '--subject', '請求書']),
  });
  r.results.rows.push({ id: 'status', what: `status over ${n + 2} snapshots`, mailbackup: times.status, target: { maxSeconds: 1, text: '< 1 s' } });
  r.results.rows.push({ id: 'list', what: `list over ${n + 2} snapshots`, mailbackup: times.list, target: { text: '(no target)' } });
  r.results.rows.push({ id: 'find', what: `find --subject over ${n + 2} snapshots' messages.index`, mailbackup: times.find, target: { maxSeconds: 2, text: '≤ 2 s (at 1,000,000 files)' } });
}

/** The check at benchmark scale: 10 % of messages only get a flag; what does the snapshot add? */
export async function readOnlyDay(w, opts, r, log) {
  log('a day where 10 % of the messages are only marked read');
  const day = w.harness.simulateDay(w.source, opts.readOnlyDay);
  const readBytes = day.flagged.reduce((n, f) => n + statSync(join(w.tree.mailDir, f.to)).blocks * 512, 0);
  const mb = await r.cli('backup', ['backup', '--date', w.dates.d2]);
  rmSync(w.rsyncInc2, { recursive: true, force: true });
  const rs = await r.tool('rsync -a --link-dest', 'rsync', ['-a', '--delete', `--link-dest=${w.rsyncInc}`, `${w.source}/`, `${w.rsyncInc2}/`]);
  const mbAdded = exclusiveBytes(join(dailyDir(w, w.dates.d1), 'mail'), join(dailyDir(w, w.dates.d2), 'mail'));
  const rsAdded = exclusiveBytes(join(w.rsyncInc, 'data', 'mail'), join(w.rsyncInc2, 'data', 'mail'));
  r.results.readOnlyDay = {
    messages: day.flagged.length, readBytes, mailbackup: mbAdded, rsync: rsAdded,
    mailbackupSeconds: mb.ms / 1000, rsyncSeconds: rs.ms / 1000,
  };
  const mbShare = mbAdded.messageBytes / readBytes;
  const rsShare = rsAdded.messageBytes / readBytes;
  r.results.rows.push({
    id: 'read-only-day', what: `10 % only marked read (${day.flagged.length} msgs): message bytes added / theirs`, unit: 'fraction',
    mailbackup: { median: mbShare, samples: [mbShare] }, baseline: { name: 'rsync --link-dest', median: rsShare, samples: [rsShare] },
    target: { maxValue: 0.01, text: '< 1 % of those messages\' bytes' },
  });
}

/** `restore all` of the newest snapshot into an empty directory, against `cp -a` of that snapshot. */
export async function restoreAll(w, opts, r, log) {
  log('restore all against cp -a of the same snapshot');
  const target = join(w.base, 'restore-all');
  const copy = join(w.base, 'cp-a-copy');
  const times = await r.repeat({
    mailbackup: async () => {
      await r.sh('rm', ['-rf', target]);
      return r.cli('restore all', ['restore', 'all', '--to', target, '--snapshot', w.dates.d1]);
    },
    'cp -a': async () => {
      await r.sh('rm', ['-rf', copy]);
      return r.tool('cp -a', 'cp', ['-a', dailyDir(w, w.dates.d1), copy]);
    },
  });
  await r.sh('rm', ['-rf', target, copy]);
  r.results.rows.push({ id: 'restore-all', what: 'restore all (every file component into an empty directory)', mailbackup: times.mailbackup, baseline: { name: 'cp -a', ...times['cp -a'] }, target: { max: 1.2, text: '≤ 1.2 × cp -a of the snapshot' } });
}
