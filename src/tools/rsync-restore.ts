/**
 * rsync as a restore copier: whole trees or an explicit list of paths, keeping modes, numeric
 * owners, hardlinks, ACLs, xattrs, symlinks and mtimes. Never --delete: a restore adds or
 * replaces, and anything it replaces was saved first by the caller.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ToolError } from '../errors.js';
import { run } from './shell.js';
import { describeRsyncFailure, summarizeRsyncStderr } from './rsync.js';

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
}

const BASE = ['-aH', '--numeric-ids'];

export function rsyncArgs(src: string, dst: string, opts: CopyTreeOptions, withAclXattr = true): string[] {
  const args = [...BASE];
  if (withAclXattr) args.push('-AX');
  if (opts.recursive) args.push('-r');
  if (opts.ignoreExisting) args.push('--ignore-existing');
  if (opts.paths) args.push('--from0', '--files-from=-');
  // a live mailbox renames and expunges while we save it: a listed name may be gone by then
  if (opts.paths && opts.liveSource) args.push('--ignore-missing-args');
  args.push(src.replace(/\/*$/, '/'), dst.replace(/\/*$/, '/'));
  return args;
}

/** Copies src/ into dst/ (created when missing). */
export async function copyTree(src: string, dst: string, opts: CopyTreeOptions = {}): Promise<void> {
  if (opts.paths && opts.paths.length === 0) return;
  mkdirSync(dirname(dst.replace(/\/+$/, '')), { recursive: true }); // rsync creates only the last level
  const input = opts.paths ? opts.paths.join('\0') + '\0' : undefined;
  let r = await run('rsync', rsyncArgs(src, dst, opts), { input, signal: opts.signal });
  if (r.exitCode === 23 && /Operation not supported|acl|xattr/i.test(r.stderr)) {
    // the target filesystem lacks ACL/xattr support: modes, owners and times still come across
    r = await run('rsync', rsyncArgs(src, dst, opts, false), { input, signal: opts.signal });
  }
  if (r.exitCode === 0 || (r.exitCode === 24 && opts.liveSource)) return;
  const out = summarizeRsyncStderr(r.stderr);
  throw new ToolError(`rsync ${src} → ${dst} failed (exit ${r.exitCode}): ${describeRsyncFailure({ exitCode: r.exitCode, ...out })}`, r.stderr);
}
