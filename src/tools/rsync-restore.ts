/**
 * rsync as a restore copier: whole trees or an explicit list of paths, keeping modes, numeric
 * owners, hardlinks, ACLs, xattrs, symlinks and mtimes. Never --delete: a restore adds or
 * replaces, and anything it replaces was saved first by the caller.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { copyTreeFresh, type FreshCopyOptions } from './cp.js';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { ToolError } from '../errors.js';
import { run, spawnStream, streamExit, type RunResult } from './shell.js';
import { describeRsyncFailure, RSYNC_VANISHED, summarizeRsyncStderr } from './rsync.js';

export interface CopyTreeOptions {
  /** copy only these paths (relative to src; directories are copied as entries, not recursed) */
  paths?: string[];
  /** with `paths`: copy listed directories with their contents */
  recursive?: boolean;
  /** never replace an existing file in dst */
  ignoreExisting?: boolean;
  /** the source is live data: files vanishing during the copy (rsync exit 24) are fine */
  liveSource?: boolean;
  signal?: AbortSignal;
  /** told of every regular file copied (live progress); rsync then itemizes, read as a stream */
  progress?: { add(files: number, bytes: number): void };
}

const BASE = ['-aH', '--numeric-ids'];

function rsyncArgs(src: string, dst: string, opts: CopyTreeOptions, withAclXattr = true): string[] {
  const args = [...BASE];
  if (withAclXattr) args.push('-AX');
  if (opts.recursive) args.push('-r');
  if (opts.ignoreExisting) args.push('--ignore-existing');
  if (opts.paths) args.push('--from0', '--files-from=-');
  // a live mailbox renames and expunges while we save it: a listed name may be gone by then
  if (opts.paths && opts.liveSource) args.push('--ignore-missing-args');
  if (opts.progress) args.push('--out-format=%i %l');
  args.push(src.replace(/\/*$/, '/'), dst.replace(/\/*$/, '/'));
  return args;
}

/** Copies src/ into dst/ (created when missing). */
export async function copyTree(src: string, dst: string, opts: CopyTreeOptions = {}): Promise<void> {
  if (opts.paths && opts.paths.length === 0) return;
  mkdirSync(dirname(dst.replace(/\/+$/, '')), { recursive: true }); // rsync creates only the last level
  const input = opts.paths ? opts.paths.join('\0') + '\0' : undefined;
  const copy = (withAclXattr: boolean) =>
    opts.progress ? itemized(rsyncArgs(src, dst, opts, withAclXattr), input, opts) : run('rsync', rsyncArgs(src, dst, opts, withAclXattr), { input, signal: opts.signal });
  let r = await copy(true);
  if (r.exitCode === 23 && /Operation not supported|acl|xattr/i.test(r.stderr)) {
    // the target filesystem lacks ACL/xattr support: modes, owners and times still come across
    r = await copy(false);
  }
  if (r.exitCode === 0 || (r.exitCode === RSYNC_VANISHED && opts.liveSource)) return;
  const out = summarizeRsyncStderr(r.stderr);
  throw new ToolError(`rsync ${src} → ${dst} failed (exit ${r.exitCode}): ${describeRsyncFailure({ exitCode: r.exitCode, ...out })}`, r.stderr);
}

/**
 * A whole component into `dst`: cp -a when dst does not exist yet (cp.ts says why), else rsync
 * --ignore-existing, which fills in what is missing and never replaces a file already there.
 */
export async function copyComponent(src: string, dst: string, opts: FreshCopyOptions = {}): Promise<void> {
  if (!existsSync(dst)) return copyTreeFresh(src, dst, opts);
  return copyTree(src, dst, { ignoreExisting: true, signal: opts.signal, progress: opts.progress });
}

/** rsync with `--out-format=%i %l`, its stdout read line by line (a big tree itemizes millions) */
async function itemized(args: string[], input: string | undefined, opts: CopyTreeOptions): Promise<RunResult> {
  const child = spawnStream('rsync', args, { stdin: input === undefined ? 'ignore' : 'pipe', signal: opts.signal });
  if (input !== undefined) child.stdin!.end(input);
  for await (const line of createInterface({ input: child.stdout!, crlfDelay: Infinity })) {
    if (line.startsWith('>f')) opts.progress!.add(1, Number(line.slice(12)) || 0);
  }
  return streamExit(child, 'rsync');
}
