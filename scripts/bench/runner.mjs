// The shared machinery of every phase: run the CLI or a competitor as a timed whole process,
// repeat it `runs` times with an untimed reset in between, and keep samples, peak RSS and the
// engine's own phase timings (from its JSON run log) for the report.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropCaches, median, timed, timedOk } from './proc.mjs';
import { cliFile } from './world.mjs';

export function createRunner(w, opts, log) {
  const results = { rows: [], info: {}, rss: {}, profiles: {}, disk: {}, cacheRegime: 'warm' };
  if (opts.dropCaches) results.cacheRegime = dropCaches() ? 'cold (page cache dropped before every timed command)' : 'warm (dropping the page cache was refused)';
  const cold = results.cacheRegime.startsWith('cold');

  const logSizes = () => new Map(readdirSync(w.logDir).map((f) => [f, statSync(join(w.logDir, f)).size]));
  /** JSON log records the CLI appended since `before` */
  const newLogRecords = (before) => {
    const out = [];
    for (const f of readdirSync(w.logDir)) {
      const text = readFileSync(join(w.logDir, f)).subarray(before.get(f) ?? 0).toString('utf8');
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line));
        } catch {
          /* a partial line */
        }
      }
    }
    return out;
  };

  /** `mailbackup --config C args…`, timed; exit codes 0 and 1 (warnings) count as success. */
  async function cli(label, args, { config = w.configPath, okCodes = [0, 1] } = {}) {
    if (cold) dropCaches();
    const before = logSizes();
    const r = await timedOk(process.execPath, [cliFile, '--config', config, ...args], { okCodes });
    results.rss[label] = Math.max(results.rss[label] ?? 0, r.peakRssMiB);
    r.records = newLogRecords(before);
    log(`  mailbackup ${args.join(' ')}: ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    return r;
  }

  /** a competitor (or coreutils), timed the same way */
  async function tool(label, cmd, args, o = {}) {
    if (cold) dropCaches();
    const r = await timedOk(cmd, args, o);
    log(`  ${label}: ${(r.ms / 1000).toFixed(2)} s`);
    return r;
  }

  /** untimed helper command; throws on failure */
  const sh = (cmd, args, o = {}) => timedOk(cmd, args, { ...o, measureRss: false });

  /**
   * Runs each step of `steps` (name → async fn returning a timed result) once per repetition,
   * interleaved so drift (cache, other load) hits every tool alike; `reset(name, last)` undoes a
   * run before the next one. Returns name → { median, samples } in seconds.
   */
  async function repeat(steps, reset = async () => {}) {
    const samples = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
    for (let i = 0; i < opts.runs; i++) {
      for (const [name, fn] of Object.entries(steps)) {
        const r = await fn(i);
        samples[name].push(r.ms / 1000);
        await reset(name, i === opts.runs - 1, r);
      }
    }
    return Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { median: median(s), samples: s }]));
  }

  /** du's on-disk bytes of each path, counting an inode only the first time it is met */
  async function du(paths) {
    const r = await sh('du', ['-s', '-B1', ...paths.filter((p) => existsSync(p))]);
    return r.stdout.trim().split('\n').map((l) => Number(l.split('\t')[0]));
  }

  return { results, cli, tool, sh, repeat, du };
}

/** Where the backup spent its time, from the engine's debug records (durations in ms). */
export function backupProfile(records, totalMs) {
  const p = { totalMs: Math.round(totalMs), components: {} };
  const comp = (name) => (p.components[name] ??= { cloneMs: 0, reconcileMs: 0, rsyncMs: 0, syncMs: 0, rsyncPasses: 0 });
  for (const r of records) {
    const c = r.component ?? r.step;
    if (r.msg === 'clone ready') comp(c).cloneMs += r.durationMs;
    else if (r.msg === 'clone reconciled') comp(c).reconcileMs += r.durationMs;
    else if (r.msg === 'rsync pass done') {
      comp(c).rsyncMs += r.durationMs;
      comp(c).rsyncPasses++;
    } else if (typeof r.msg === 'string' && r.msg.endsWith(' synced')) {
      Object.assign(comp(r.step), { syncMs: r.durationMs, addedFiles: r.addedFiles, addedBytes: r.addedBytes, linkedRenames: r.linkedRenames });
    } else if (r.msg === 'manifest written') p.manifest = { ms: r.durationMs, files: r.files, hashed: r.hashed, reused: r.reused };
  }
  const t = (m) => records.find((r) => r.msg === m || (m === 'snapshot' && /^snapshot (ok|failed)$/.test(r.msg)))?.time;
  const [start, snap, end] = [t('backup started'), t('snapshot'), t('backup finished')];
  if (start && snap) p.runMs = snap - start;
  if (snap && end) p.afterSnapshotMs = end - snap; // verify record, promote, rotation, state
  const synced = Object.values(p.components).reduce((n, c) => n + c.syncMs, 0);
  if (p.runMs !== undefined) p.verifyAndRestMs = p.runMs - synced - (p.manifest?.ms ?? 0);
  // node start-up, config, preflight, lock before the first record; exit after the last
  if (start && end) p.outsideRunMs = Math.round(totalMs - (end - start));
  return p;
}
