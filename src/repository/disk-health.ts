/**
 * What the kernel says about the filesystem that holds the destination: read-only (mounted so,
 * or remounted by `errors=remount-ro` after an error), and the error count ext4 keeps in its
 * superblock (/sys/fs/ext4/<dev>/errors_count, cleared by e2fsck). Read from /proc and /sys
 * only: nothing is written, so it works on a failing disk.
 */
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export interface MountEntry {
  /** "major:minor" of the filesystem's device */
  devNo: string;
  mountPoint: string;
  fsType: string;
  source: string;
  /** per-mount and superblock options together, e.g. rw, errors=remount-ro, emergency_ro */
  options: string[];
}

/** /proc/self/mountinfo unescapes \040 (space) and friends in paths. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0) continue;
    out.push({
      devNo: f[2],
      mountPoint: unescape(f[4]),
      fsType: f[sep + 1],
      source: unescape(f[sep + 2]),
      options: [...f[5].split(','), ...(f[sep + 3] ?? '').split(',')].filter(Boolean),
    });
  }
  return out;
}

/** The mount a path lives on: same device number, longest mount point that is a prefix of it. */
export function mountOf(entries: MountEntry[], realPath: string, devNo: string): MountEntry | undefined {
  const under = (mp: string) => mp === '/' || realPath === mp || realPath.startsWith(`${mp}/`);
  const candidates = entries.filter((e) => e.devNo === devNo && under(e.mountPoint));
  return candidates.sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
}

/** st_dev split as glibc's major()/minor() do. */
export function devNumber(dev: number): string {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return `${major}:${minor}`;
}

export interface DiskHealth {
  mount?: MountEntry;
  readOnly: boolean;
  /** errors ext4 recorded since the last e2fsck; undefined when not ext4 or not readable */
  errorCount?: number;
}

function readOnly(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS';
  }
}

function ext4ErrorCount(devNo: string): number | undefined {
  try {
    const name = basename(realpathSync(`/sys/dev/block/${devNo}`));
    const n = Number(readFileSync(`/sys/fs/ext4/${name}/errors_count`, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Never throws: a path that cannot be looked at has no health to report. */
export function diskHealth(path: string): DiskHealth {
  try {
    const real = realpathSync(path);
    const devNo = devNumber(statSync(real).dev);
    const mount = mountOf(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), real, devNo);
    // ext4's emergency_ro (after an error) refuses writes but leaves access(W_OK) as it was
    const ro = readOnly(real) || Boolean(mount?.options.some((o) => o === 'ro' || o === 'emergency_ro'));
    return { mount, readOnly: ro, errorCount: mount?.fsType === 'ext4' ? ext4ErrorCount(devNo) : undefined };
  } catch {
    return { readOnly: false };
  }
}

const deviceOf = (h: DiskHealth) => h.mount?.source ?? 'the backup disk';

/** What to do about a failing backup disk, naming the device when it is known: the one wording every message uses. */
export function repairAdvice(dev?: string): string {
  const d = dev ? ` ${dev}` : '';
  return `check \`dmesg\` and \`smartctl -a${d}\`, then unmount it, run \`e2fsck -f${d}\`, mount it again and run the backup`;
}

/** One sentence per problem, each saying what to do; empty when the disk looks healthy. */
export function diskProblems(h: DiskHealth, root: string): string[] {
  const dev = deviceOf(h);
  const problems: string[] = [];
  if (h.readOnly) {
    problems.push(`destination ${root} is read-only (${dev}${h.mount?.options.includes('emergency_ro') ? ', remounted read-only after a filesystem error' : ''}): ${repairAdvice(h.mount?.source)}`);
  }
  if (h.errorCount) {
    problems.push(`the filesystem on ${dev} has recorded ${h.errorCount} error(s) since its last check: ${repairAdvice(h.mount?.source)}`);
  }
  return problems;
}
