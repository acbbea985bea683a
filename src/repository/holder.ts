/**
 * Who holds a lock (the writer's .lock or a reader's file under .readers/), and whether that
 * holder can still be running. The lock lives on the backup disk, so it survives a power cut
 * and the reboot after it; after a reboot pids are handed out again, so `kill(pid, 0)` alone
 * would take a daemon that got the old number for the holder. The kernel's boot id, the
 * process start time and its command line tell the cases apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';

export interface HolderRecord {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** /proc/sys/kernel/random/boot_id of the boot the holder ran in */
  bootId?: string;
  /** /etc/machine-id: tells two servers apart even when their host names agree */
  machineId?: string;
  /** /proc/PID/stat field 22 (clock ticks after boot): pid reuse changes it */
  procStart?: string;
}

/** What this machine is now; fields are undefined where /proc or /etc say nothing. */
export interface SystemFacts {
  host: string;
  machineId?: string;
  bootId?: string;
  /** boot time, from /proc/stat btime */
  bootTime?: Date;
}

/** A process as /proc shows it; undefined when there is no such pid. */
export interface ProcessFacts {
  /** one letter of /proc/PID/stat field 3: R, S, D, Z (zombie), T, X … */
  state: string;
  startTicks: string;
  cmdline: string[];
}

export type Verdict =
  | { kind: 'live' }
  /** provably gone: safe to take over */
  | { kind: 'stale'; reason: string }
  /** written on another machine: cannot be judged from here */
  | { kind: 'foreign'; reason: string };

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function systemFacts(): SystemFacts {
  const btime = /^btime (\d+)$/m.exec(readText('/proc/stat') ?? '')?.[1];
  return {
    host: hostname(),
    machineId: readText('/etc/machine-id')?.trim() || undefined,
    bootId: readText('/proc/sys/kernel/random/boot_id')?.trim() || undefined,
    bootTime: btime ? new Date(Number(btime) * 1000) : undefined,
  };
}

/** Fields after the command name, which is in parentheses and may itself hold spaces or ")". */
export function parseProcStat(stat: string): { state: string; startTicks: string } | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19]
  return rest.length > 19 ? { state: rest[0], startTicks: rest[19] } : undefined;
}

function processFacts(pid: number): ProcessFacts | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) {
    if (existsSync('/proc/self/stat')) return undefined; // /proc works: the pid is gone
    return killZero(pid) ? { state: '?', startTicks: '', cmdline: [] } : undefined;
  }
  const parsed = parseProcStat(stat);
  if (!parsed) return undefined;
  const cmdline = (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
  return { ...parsed, cmdline };
}

function killZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `node …/bin/mailbackup backup`, `node dist/mailbackup.mjs verify`, `mailbackup drill` … */
export function isMailbackupCommandLine(argv: string[]): boolean {
  const named = (a: string | undefined) => a !== undefined && /^mailbackup(\.m?js)?$/.test(basename(a));
  if (named(argv[0])) return true;
  // an interpreter (node): the script is its first argument that is not an option
  return named(argv.slice(1).find((a) => !a.startsWith('-')));
}

/** The record a new lock of this process carries. */
export function selfRecord(command: string, sys = systemFacts()): HolderRecord {
  const me = processFacts(process.pid);
  return {
    pid: process.pid,
    host: sys.host,
    command,
    startedAt: new Date().toISOString(),
    bootId: sys.bootId,
    machineId: sys.machineId,
    procStart: me?.startTicks || undefined,
  };
}

/** The decision, over plain facts (unit-tested); `proc` is the recorded pid as /proc shows it now. */
export function judgeHolder(rec: HolderRecord, sys: SystemFacts, proc: ProcessFacts | undefined): Verdict {
  if (rec.host !== sys.host || (rec.machineId && sys.machineId && rec.machineId !== sys.machineId)) {
    return { kind: 'foreign', reason: `it was written on ${rec.host}${rec.host === sys.host ? ' (another machine id)' : ''}, not on ${sys.host}` };
  }
  if (rec.bootId && sys.bootId) {
    if (rec.bootId !== sys.bootId) return { kind: 'stale', reason: 'it was written before this boot (another boot id)' };
  } else if (sys.bootTime && Date.parse(rec.startedAt) < sys.bootTime.getTime()) {
    return { kind: 'stale', reason: `it was written at ${rec.startedAt}, before this boot (${sys.bootTime.toISOString()})` };
  }
  if (!proc) return { kind: 'stale', reason: `pid ${rec.pid} is gone` };
  if (proc.state === 'Z' || proc.state === 'X') return { kind: 'stale', reason: `pid ${rec.pid} has exited (a zombie not yet reaped)` };
  if (rec.procStart && proc.startTicks && rec.procStart !== proc.startTicks) {
    return { kind: 'stale', reason: `pid ${rec.pid} now belongs to another process (its start time differs)` };
  }
  if (proc.cmdline.length && !isMailbackupCommandLine(proc.cmdline)) {
    return { kind: 'stale', reason: `pid ${rec.pid} is now \`${proc.cmdline.join(' ').slice(0, 80)}\`, not a mailbackup run` };
  }
  return { kind: 'live' };
}

export function judge(rec: HolderRecord, sys = systemFacts()): Verdict {
  return judgeHolder(rec, sys, rec.host === sys.host ? processFacts(rec.pid) : undefined);
}

export function describeHolder(rec: HolderRecord): string {
  return `pid ${rec.pid} on ${rec.host}, \`${rec.command}\` since ${rec.startedAt}`;
}
