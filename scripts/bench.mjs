// `npm run bench -- --size tiny|small|medium|scale [--runs N] [--no-write] …`
// The side-by-side benchmark (targets in docs/benchmarks.md): one deterministic tree, one simulated day, mailbackup
// and rsync / rsnapshot / restic / sha256sum / rm -rf timed as whole processes on the same data.
// Prints a table with ratios and verdicts; writes docs/benchmarks.md and bench-results/*.json.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { rssRows, evaluateRow, textTable } from './bench/evaluate.mjs';
import { parseOptions } from './bench/options.mjs';
import { addedBytes, firstBackup, incrementalBackup } from './bench/phases-backup.mjs';
import { deletion, readOnlyDay, restoreAll, statusAndList, verify } from './bench/phases-other.mjs';
import { appendixSection, codeVersion, machineInfo, markdown } from './bench/report.mjs';
import { stopChildren } from './bench/proc.mjs';
import { createRunner } from './bench/runner.mjs';
import { cliFile, createWorld, harnessUrl, removeWorld } from './bench/world.mjs';

const repo = new URL('..', import.meta.url).pathname;
const opts = parseOptions(process.argv.slice(2));
if (opts.help) {
  console.log(opts.help);
  process.exit(0);
}
if (opts.render) {
  const [main, ...more] = opts.render.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  writeFileSync(join(repo, 'docs', 'benchmarks.md'), [markdown(main), ...more.map(appendixSection)].join('\n'));
  console.log(`wrote docs/benchmarks.md from ${opts.render.join(', ')}`);
  process.exit(0);
}
if (opts.error) {
  console.error(`bench: ${opts.error}`);
  process.exit(64);
}
for (const f of [harnessUrl.pathname, cliFile]) {
  if (!existsSync(f)) {
    console.error(`bench: ${f} is missing; run \`npm run build\` first (\`npm run bench\` builds it)`);
    process.exit(1);
  }
}

const t0 = Date.now();
const loadStart = loadavg().map((x) => +x.toFixed(2));
const log = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

function treeStats(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile()) {
        files++;
        bytes += lstatSync(join(d, e.name)).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

log(`generating the ${opts.size} tree`);
const w = await createWorld(opts);
let cleaned = false;
const cleanup = () => {
  if (cleaned || opts.keep) return;
  cleaned = true;
  removeWorld(w);
};
process.once('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) {
  // the running command first: it must not write into the tree while the tree is removed
  process.once(sig, () => stopChildren().then(() => process.exit(130)));
}

let failed = false;
try {
  const stats = treeStats(w.source);
  const t = opts.preset.tree;
  const tree = { domains: t.domains, usersPerDomain: t.usersPerDomain, messages: w.tree.totalMessages, ...stats };
  log(`${tree.messages} messages, ${tree.files} files, ${(tree.bytes / 1e6).toFixed(0)} MB under ${w.source} (${(w.generateMs / 1000).toFixed(1)} s)`);

  const r = createRunner(w, opts, log);
  await firstBackup(w, opts, r, log);
  const day = w.harness.simulateDay(w.source, opts.day);
  log(`simulated day: ${JSON.stringify(day.counts)}`);
  await incrementalBackup(w, opts, r, log);
  await addedBytes(w, opts, r, log);
  await verify(w, opts, r, log);
  // At the scale size only what the memory ceiling is about: backup, verify, status.
  const full = opts.preset.suite === 'full';
  if (full) await deletion(w, opts, r, log);
  if (full) await restoreAll(w, opts, r, log);
  await statusAndList(w, opts, r, log);
  if (full) await readOnlyDay(w, opts, r, log);

  const res = r.results;
  const rows = [...res.rows, ...rssRows(res.rss)].map(evaluateRow);
  const result = {
    format: 1,
    size: opts.size,
    runs: opts.runs,
    command: `npm run bench -- ${opts.argv.join(' ')}`.trim(),
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: { ...machineInfo(w.base, w.cli), scratchFs: w.fs },
    code: codeVersion(repo),
    preset: opts.preset,
    tree,
    generateMs: w.generateMs,
    day: day.counts,
    cacheRegime: res.cacheRegime,
    load: { start: loadStart, end: loadavg().map((x) => +x.toFixed(2)) },
    rows,
    info: res.info,
    rss: res.rss,
    rssParts: res.rssParts,
    profiles: res.profiles,
    profileOf: 'median',
    disk: res.disk,
    readOnlyDay: res.readOnlyDay,
    method: [
      'every command runs as a whole process (node dist/mailbackup.mjs …, rsync, rsnapshot, restic, sha256sum, rm), wall time from spawn to exit; repetitions are interleaved across tools, each repetition starting with the next tool (whoever goes first meets the coldest cache), and undone in between (untimed): the new snapshot removed and `latest` pointed back, `rsnapshot` daily.1 moved back to daily.0, the restic snapshot forgotten (not pruned: its blobs stay in the repository)',
      'mailbackup runs with priority nice 0 / ionice 0 and no database configured (database.enabled: false): every tool copies the same tree (source.root); the generated config is written beside the tree',
      'peak RSS: /proc polled every 25 ms, VmRSS summed over the CLI process and all its descendants (rsync, rm, …; worker threads are inside the node process)',
      'CPU time: user + system seconds of the command and every descendant it waited for (the benchmark process\'s cutime + cstime from /proc/self/stat, read before and after the command; commands run one at a time)',
      'bytes added: regular files under mail/ whose inode the previous snapshot does not have, st_blocks × 512 (directories excluded; du totals in the JSON)',
      'rsnapshot 1.4 with cmd_cp (cp -al, then rsync), retain daily 7; restic with a repository under the benchmark dir, the password from RESTIC_PASSWORD',
      'verify: `mailbackup verify --full DATE` and `mailbackup verify DATE` against `sha256sum -c --quiet manifest.sha256` inside the same snapshot, after one untimed `sha256sum -c` that warms the cache for both',
      `delete: \`mailbackup rotate\` with retention daily 2 and a victim made by \`cp -al\` of the first snapshot with a rewritten backup.json, against \`rm -rf\` of an identical \`cp -al\` copy`,
      `status / list: ${opts.preset.clones} extra snapshots made by \`cp -al\` of the incremental snapshot, each with its backup.json rewritten to its own date (a new inode)`,
    ],
  };
  console.log(`\n${textTable(rows)}\n`);
  if (opts.write) {
    mkdirSync(join(repo, 'bench-results'), { recursive: true });
    const jsonPath = opts.out ?? join(repo, 'bench-results', `${opts.size}-${result.finishedAt.slice(0, 10)}.json`);
    writeFileSync(jsonPath, JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(repo, 'docs', 'benchmarks.md'), markdown(result));
    log(`wrote ${jsonPath} and docs/benchmarks.md`);
  } else if (opts.out) {
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
  }
  log(`done in ${result.durationSeconds} s`);
} catch (err) {
  failed = true;
  console.error(`bench: ${err.stack ?? err}`);
} finally {
  if (opts.keep) log(`kept ${w.base}`);
  cleanup();
}
process.exit(failed ? 1 : 0);
