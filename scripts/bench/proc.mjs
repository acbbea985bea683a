// Runs one program as a whole process and measures what a user would: wall time, and the peak
// resident memory of its whole process tree (node + its worker threads + every rsync/rm/gzip it
// spawns), found by polling /proc every 25 ms and summing VmRSS over the tree. /usr/bin/time -v
// only reports the largest single process (getrusage), which would miss rsync's three processes.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const POLL_MS = 25;

/** children still running, so an interrupted benchmark can stop them before removing its tree */
const live = new Set();

/** SIGTERM to every command still running; resolves once they exited (at most `waitMs`). */
export function stopChildren(waitMs = 10_000) {
  const exits = [...live].map((child) => new Promise((resolve) => {
    child.once('close', resolve);
    child.kill('SIGTERM');
  }));
  return Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, waitMs))]);
}

/** pid → ppid for every process now, from /proc/<pid>/stat (field 4, after the ")" of comm). */
function parentMap() {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  return parents;
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** VmRSS (KiB) summed over `root` and all its descendants, and per program name. */
function treeRss(root) {
  const parents = parentMap();
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  const parts = {};
  for (const pid of tree) {
    const kib = rssKiB(pid);
    total += kib;
    const name = comm(pid);
    parts[name] = (parts[name] ?? 0) + kib;
  }
  return { total, parts };
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) of this process's children reaped so far: cutime + cstime of
 * /proc/self/stat. Commands run one at a time, so the difference around one is its whole tree's
 * CPU (a child's own children count once it waited for them: node for rsync, rsync for its forks).
 */
function reapedChildrenCpuS() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

/** Page cache off, when the kernel lets us (root, not a restricted container). */
export function dropCaches() {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `cmd args` to completion. Resolves { code, ms, cpuS, peakRssMiB, stdout, stderr }; never rejects
 * on a non-zero exit (the caller decides what counts as failure).
 */
function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const cpu0 = reapedChildrenCpuS();
    const startedAt = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      if (stderr.length < 1_000_000) stderr += d;
    });
    let peak = 0;
    let peakParts = {};
    const poll = () => {
      if (!child.pid) return;
      const { total, parts } = treeRss(child.pid);
      if (total > peak) [peak, peakParts] = [total, parts];
    };
    const timer = opts.measureRss === false ? undefined : setInterval(poll, POLL_MS);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpuS = +(reapedChildrenCpuS() - cpu0).toFixed(2);
      resolve({ code: code ?? 128, signal, ms, cpuS, startedAt, endedAt: Date.now(), peakRssMiB: peak / 1024, peakRssParts: Object.fromEntries(Object.entries(peakParts).map(([k, v]) => [k, +(v / 1024).toFixed(1)])), stdout, stderr });
    });
  });
}

/** The same, but a non-zero exit (beyond `okCodes`) is an error naming the command and its output. */
export async function timedOk(cmd, args, opts = {}) {
  const r = await timed(cmd, args, opts);
  const ok = opts.okCodes ?? [0];
  if (!ok.includes(r.code)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  }
  return r;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
