// The shared machinery of every phase: run the CLI or a competitor as a timed whole process,
// repeat it `runs` times with an untimed reset in between, and keep samples, peak RSS and the
// engine's own phase timings (from its JSON run log) for the report.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropCaches, median, timedOk } from './proc.mjs';

export function createRunner(w, opts, log) {
  const results = { rows: [], info: {}, rss: {}, rssParts: {}, profiles: {}, disk: {}, cacheRegime: 'warm' };
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
  // Untimed: write back what the previous command left dirty, so no tool pays for another's
  // writeback; then (cold regime only) empty the page cache.
  const settle = () => {
    execFileSync('sync');
    if (cold) dropCaches();
  };

  async function cli(label, args, { config = w.configPath, okCodes = [0, 1], cliFile = w.cli } = {}) {
    settle();
    const before = logSizes();
    const r = await timedOk(process.execPath, [cliFile, '--config', config, ...args], { okCodes });
    if (r.peakRssMiB > (results.rss[label] ?? 0)) {
      results.rss[label] = r.peakRssMiB;
      // which programs of the tree held the memory at that peak (MiB by process name)
      results.rssParts[label] = { command: args.join(' '), ...r.peakRssParts };
    }
    r.records = newLogRecords(before);
    log(`  mailbackup ${args.join(' ')}: ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    return r;
  }

  /** a competitor (or coreutils), timed the same way */
  async function tool(label, cmd, args, o = {}) {
    settle();
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
  async function repeat(steps, reset = async () => {}, { warmup } = {}) {
    const names = Object.keys(steps);
    const samples = Object.fromEntries(names.map((k) => [k, []]));
    const cpu = Object.fromEntries(names.map((k) => [k, []]));
    // untimed, once: the first timed command must not be the one that pulls the tree into the cache
    if (warmup) await warmup();
    for (let i = 0; i < opts.runs; i++) {
      // each repetition starts with the next tool: whoever runs first after a reset (or after the
      // previous phase) meets a colder cache than those after it, so no tool may always be first
      for (const name of names.map((_, k) => names[(k + i) % names.length])) {
        const fn = steps[name];
        const r = await fn(i);
        samples[name].push(r.ms / 1000);
        if (r.cpuS !== undefined) cpu[name].push(r.cpuS);
        await reset(name, i === opts.runs - 1, r);
      }
    }
    // CPU seconds of the whole process tree (user + system), beside the wall time: what bounds a command on this many cores
    return Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { median: median(s), samples: s, ...(cpu[k].length === s.length ? { cpuMedian: median(cpu[k]), cpuSamples: cpu[k] } : {}) }]));
  }

  /** du's on-disk bytes of each path, counting an inode only the first time it is met */
  async function du(paths) {
    const r = await sh('du', ['-s', '-B1', ...paths.filter((p) => existsSync(p))]);
    return r.stdout.trim().split('\n').map((l) => Number(l.split('\t')[0]));
  }

  return { results, cli, tool, sh, repeat, du };
}

/** Where the backup spent its time, from the engine's debug records (durations in ms). */
export function backupProfile(records, run) {
  const p = { totalMs: Math.round(run.ms), components: {} };
  const comp = (name) => (p.components[name] ??= { scanMs: 0, resolveMs: 0, copyMs: 0, completeMs: 0, syncMs: 0, batches: 0, scanned: 0, copied: 0 });
  for (const r of records) {
    const c = r.component ?? r.step;
    if (r.msg === 'engine phases') {
      // each phase once per run: the source scanned once (with the links made as it goes),
      // the previous snapshot read only as its manifest.index, the new one never walked
      const x = comp(c);
      for (const k of ['scanMs', 'resolveMs', 'copyMs', 'completeMs', 'batches', 'scanned', 'copied']) x[k] += r[k] ?? 0;
    } else if (r.step && r.step !== 'manifest' && typeof r.addedFiles === 'number' && typeof r.durationMs === 'number') {
      // the component's summary line ("mail: 101,622 files, 2.4 GiB; 1,320 new … in 2.1 s")
      Object.assign(comp(r.step), { syncMs: r.durationMs, addedFiles: r.addedFiles, addedBytes: r.addedBytes, linkedRenames: r.linkedRenames });
    } else if (r.step === 'manifest' && typeof r.hashed === 'number') p.manifest = { ms: r.durationMs, files: r.files, hashed: r.hashed, reused: r.reused };
  }
  const t = (re) => records.find((r) => re.test(r.msg ?? ''))?.time;
  const [first, start, snap, end] = [records[0]?.time, t(/^backup \S+ started\b/), t(/^snapshot (ok|failed)\b/), t(/^backup finished\b/)];
  // node start-up and loading the bundle, until the CLI's first log record
  if (first) p.startupMs = first - run.startedAt;
  // config, preflight (marker, tools), lock, listing snapshots
  if (first && start) p.preflightMs = start - first;
  if (start && snap) p.runMs = snap - start;
  if (snap && end) p.afterSnapshotMs = end - snap; // promote, rotation, state
  if (end) p.exitMs = run.endedAt - end; // last-run record, log pruning, notifications, exit
  const synced = Object.values(p.components).reduce((n, c) => n + c.syncMs, 0);
  if (p.runMs !== undefined) p.otherRunMs = p.runMs - synced - (p.manifest?.ms ?? 0); // databases, quick verify, metadata
  return p;
}
