// First full backup and the incremental after one simulated day, mailbackup against each
// competitor on the same tree; then the bytes each new snapshot adds on disk.
import { existsSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { exclusiveBytes } from './exclusive.mjs';
import { backupProfile } from './runner.mjs';
import { resetDestination } from './world.mjs';

const dailyDir = (w, date) => join(w.destRoot, 'daily', date);
const BASELINE = 'mailbackup (baseline build)';

/** Points `latest` back at `date` (undoing a timed backup so the next repetition starts alike). */
function relinkLatest(w, date) {
  const latest = join(w.destRoot, 'latest');
  if (readlinkSync(latest) === `daily/${date}`) return;
  unlinkSync(latest);
  symlinkSync(`daily/${date}`, latest);
}

/** The profile of the repetition whose total is the median (the upper one for an even count). */
function medianProfile(profiles) {
  const sorted = [...profiles].sort((a, b) => a.totalMs - b.totalMs);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function firstBackup(w, opts, r, log) {
  log('first full backup');
  const { d0 } = w.dates;
  const fullProfiles = [];
  const times = await r.repeat(
    {
      mailbackup: async () => {
        resetDestination(w);
        const run = await r.cli('backup', ['backup', '--date', d0]);
        fullProfiles.push(backupProfile(run.records, run));
        return run;
      },
      // the same backup without messages.index (messageIndex: false): what the index costs
      'mailbackup without index': async () => {
        resetDestination(w);
        return r.cli('backup-no-index', ['backup', '--date', d0], { config: w.noIndexConfigPath });
      },
      ...(opts.baselineCli ? {
        [BASELINE]: async () => {
          resetDestination(w);
          return r.cli('backup (baseline build)', ['backup', '--date', d0], { cliFile: opts.baselineCli });
        },
      } : {}),
      rsync: async () => {
        rmSync(w.rsyncFull, { recursive: true, force: true });
        return r.tool('rsync -a', 'rsync', ['-a', `${w.source}/`, `${w.rsyncFull}/`]);
      },
      // the flags the engine must copy with (hardlinks, ACLs, xattrs): what bounds its copy phase
      rsyncHAX: async () => {
        rmSync(w.rsyncFull, { recursive: true, force: true });
        return r.tool('rsync -aHAX', 'rsync', ['-aHAX', '--numeric-ids', `${w.source}/`, `${w.rsyncFull}/`]);
      },
    },
  );
  r.results.profiles.full = medianProfile(fullProfiles);
  if (opts.baselineCli) {
    // the later phases start from this build's snapshot, whichever build ran last
    resetDestination(w);
    await r.cli('backup', ['backup', '--date', d0]);
    r.results.rows.push({ id: 'full-baseline', what: `first full backup vs the baseline build (${opts.baselineCli})`, mailbackup: times.mailbackup, baseline: { name: BASELINE, ...times[BASELINE] }, target: { text: '(what this change costs)' } });
  }
  r.results.rows.push({ id: 'full', what: 'first full backup', mailbackup: times.mailbackup, baseline: { name: 'rsync -a', ...times.rsync }, target: { max: 1.1, text: '≤ 1.1 × rsync -a' } });
  r.results.rows.push({ id: 'full-aHAX', what: '(bound) first full vs rsync -aHAX --numeric-ids', mailbackup: times.mailbackup, baseline: { name: 'rsync -aHAX', ...times.rsyncHAX }, target: { text: '(what bounds the engine)' } });
  await indexRest(w, r);
  r.results.rows.push({ id: 'full-index', what: 'first full backup with messages.index vs without', mailbackup: times.mailbackup, baseline: { name: 'without index', ...times['mailbackup without index'] }, target: { max: 1.05, text: '≤ 1.05 × without the index' } });

  if (opts.preset.suite !== 'full') return;
  // The competitors' own first backups, once: their incrementals need them; shown for reference.
  await r.sh('restic', ['init'], { env: w.resticEnv });
  const restic = await r.tool('restic backup (first)', 'restic', ['backup', '--json', '-q', w.source], { env: w.resticEnv });
  const rsnap = await r.tool('rsnapshot daily (first)', 'rsnapshot', ['-c', w.rsnapshotConf, 'daily'], { okCodes: [0, 2] });
  r.results.info.firstRestic = restic.ms / 1000;
  r.results.info.firstRsnapshot = rsnap.ms / 1000;
}

function resticSnapshotId(stdout) {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const j = JSON.parse(line);
      if (j.message_type === 'summary' && j.snapshot_id) return j.snapshot_id;
    } catch {
      /* progress line */
    }
  }
  throw new Error(`restic backup printed no summary with a snapshot_id:\n${stdout.slice(-1000)}`);
}

/**
 * Untimed: when the repetition that ran last was the one without the index, its snapshot has
 * none; the backfill gives it one, so what follows (the incremental, find) sees an indexed store.
 */
async function indexRest(w, r) {
  await r.sh(process.execPath, [w.cli, '--config', w.configPath, 'index']);
}

export async function incrementalBackup(w, opts, r, log) {
  log('incremental backup after one simulated day');
  const { d0, d1 } = w.dates;
  const full = opts.preset.suite === 'full';
  const incProfiles = [];
  const steps = {
    mailbackup: async () => {
      const run = await r.cli('backup', ['backup', '--date', d1]);
      incProfiles.push(backupProfile(run.records, run));
      return run;
    },
    'mailbackup without index': () => r.cli('backup-no-index', ['backup', '--date', d1], { config: w.noIndexConfigPath }),
    ...(opts.baselineCli ? { [BASELINE]: () => r.cli('backup (baseline build)', ['backup', '--date', d1], { cliFile: opts.baselineCli }) } : {}),
    'rsync --link-dest': async () => {
      rmSync(w.rsyncInc, { recursive: true, force: true });
      return r.tool('rsync -a --link-dest', 'rsync', ['-a', '--delete', `--link-dest=${w.rsyncFull}`, `${w.source}/`, `${w.rsyncInc}/`]);
    },
  };
  // What bounds the engine: docs/architecture.md's clone-then-rsync with plain -a, and with the flags the
  // engine passes (-aHAX --numeric-ids, plus --out-format for its accounting). Info rows.
  const cloneThen = (flags) => async () => {
    rmSync(w.scratch, { recursive: true, force: true });
    const cp = await r.tool('cp -al', 'cp', ['-al', w.rsyncFull, w.scratch]);
    const rs = await r.tool(`rsync ${flags.join(' ')}`, 'rsync', [...flags, '--delete', `${w.source}/`, `${w.scratch}/`]);
    return { ms: cp.ms + rs.ms, cpuS: cp.cpuS + rs.cpuS };
  };
  // The floors of the engine's two halves: reading the source's names and metadata once, and
  // making one hardlink per file (what a snapshot of an unchanged tree costs at the least).
  steps['find over the source'] = () => r.tool('find -printf', 'find', [w.source, '-printf', '%s %T@ %m %U %G %i\n']);
  steps['cp -al of the previous'] = async () => {
    rmSync(w.scratch, { recursive: true, force: true });
    return r.tool('cp -al', 'cp', ['-al', w.rsyncFull, w.scratch]);
  };
  if (full) {
    steps['cp -al + rsync -a'] = cloneThen(['-a']);
    steps['cp -al + rsync -aHAX'] = cloneThen(['-aHAX', '--numeric-ids', '--out-format=@@%i %l %n']);
    steps.rsnapshot = () => r.tool('rsnapshot daily', 'rsnapshot', ['-c', w.rsnapshotConf, 'daily'], { okCodes: [0, 2] });
    steps.restic = () => r.tool('restic backup', 'restic', ['backup', '--json', '-q', w.source], { env: w.resticEnv });
  }
  const undo = async (name, last, run) => {
    // with a baseline build both write the same day: each run is undone, and this build's made again below
    if (last && !(opts.baselineCli && (name === 'mailbackup' || name === BASELINE))) return;
    if (name === 'mailbackup' || name === 'mailbackup without index' || name === BASELINE) {
      rmSync(dailyDir(w, d1), { recursive: true, force: true });
      relinkLatest(w, d0);
    } else if (name === 'rsnapshot') {
      rmSync(join(w.rsnapshotRoot, 'daily.0'), { recursive: true, force: true });
      renameSync(join(w.rsnapshotRoot, 'daily.1'), join(w.rsnapshotRoot, 'daily.0'));
    } else if (name === 'restic') {
      // forget (not prune): the next run's parent is the first snapshot again
      await r.sh('restic', ['forget', resticSnapshotId(run.stdout)], { env: w.resticEnv });
    }
  };
  const times = await r.repeat(steps, undo);
  r.results.profiles.incremental = medianProfile(incProfiles);
  if (opts.baselineCli) {
    if (!existsSync(dailyDir(w, d1))) await r.cli('backup', ['backup', '--date', d1]);
    r.results.rows.push({ id: 'incremental-baseline', what: `incremental after one day vs the baseline build (${opts.baselineCli})`, mailbackup: times.mailbackup, baseline: { name: BASELINE, ...times[BASELINE] }, target: { text: '(what this change costs)' } });
  }
  const row = (id, name, target) => r.results.rows.push({ id, what: `incremental after one day vs ${name}`, mailbackup: times.mailbackup, baseline: { name, ...times[name] }, target });
  row('incremental', 'rsync --link-dest', { max: 0.5, text: '≤ 0.5 × rsync --link-dest' });
  for (const name of ['find over the source', 'cp -al of the previous']) {
    r.results.rows.push({ id: `floor-${name.split(' ')[0]}`, what: `(floor) ${name}`, mailbackup: times.mailbackup, baseline: { name, ...times[name] }, target: { text: '(the least one tree walk costs)' } });
  }
  for (const name of full ? ['cp -al + rsync -a', 'cp -al + rsync -aHAX'] : []) {
    r.results.rows.push({ id: `anatomy-${name.includes('HAX') ? 'aHAX' : 'a'}`, what: `(bound) ${name} --delete into a clone`, mailbackup: times.mailbackup, baseline: { name, ...times[name] }, target: { text: '(what bounds the engine)' } });
  }
  await indexRest(w, r);
  r.results.rows.push({ id: 'incremental-index', what: 'incremental with messages.index vs without', mailbackup: times.mailbackup, baseline: { name: 'without index', ...times['mailbackup without index'] }, target: { max: 1.05, text: '≤ 1.05 × without the index' } });
  for (const d of [d0, d1]) {
    const bytes = statSync(join(dailyDir(w, d), 'messages.index')).size;
    r.results.rows.push({ id: `index-size-${d === d0 ? 'full' : 'incremental'}`, what: `messages.index size of one snapshot (${d === d0 ? 'first full' : 'incremental'})`, unit: 'bytes', mailbackup: { median: bytes, samples: [bytes] }, target: { text: '(reported)' } });
  }
  rmSync(w.scratch, { recursive: true, force: true });
  if (full) {
    row('incremental-rsnapshot', 'rsnapshot', { max: 1, strict: true, text: 'faster than rsnapshot' });
    row('incremental-restic', 'restic', { max: 1, strict: true, text: 'faster than restic' });
  }
}

/** Bytes each incremental added on disk: new regular-file inodes under mail/, plus du totals. */
export async function addedBytes(w, opts, r, log) {
  log('bytes added by the incremental snapshot');
  const { d0, d1 } = w.dates;
  const mb = exclusiveBytes(join(dailyDir(w, d0), 'mail'), join(dailyDir(w, d1), 'mail'));
  const rs = exclusiveBytes(join(w.rsyncFull, 'data', 'mail'), join(w.rsyncInc, 'data', 'mail'));
  const [, mbDu] = await r.du([dailyDir(w, d0), dailyDir(w, d1)]);
  const [, rsDu] = await r.du([w.rsyncFull, w.rsyncInc]);
  const d = { mailbackup: { mail: mb, duTotal: mbDu }, 'rsync --link-dest': { mail: rs, duTotal: rsDu } };
  if (opts.preset.suite === 'full') {
    const [, snapDu] = await r.du([join(w.rsnapshotRoot, 'daily.1'), join(w.rsnapshotRoot, 'daily.0')]);
    d.rsnapshot = { duTotal: snapDu };
  }
  r.results.disk.incremental = d;
  const mbMail = mb.messageBytes + mb.otherBytes;
  const rsMail = rs.messageBytes + rs.otherBytes;
  r.results.rows.push({
    id: 'added-bytes', what: 'bytes the incremental adds (new file inodes in mail/)', unit: 'bytes',
    mailbackup: { median: mbMail, samples: [mbMail] }, baseline: { name: 'rsync --link-dest', median: rsMail, samples: [rsMail] },
    target: { max: 1, text: '≤ rsync --link-dest' },
  });
}
