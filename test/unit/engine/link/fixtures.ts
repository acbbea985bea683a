/** Scan entries, previous index entries and a planner over them, for the link/ unit tests. */
import { LinkPlanner } from '../../../../src/engine/link/link-plan.js';
import { compareBytes, type IndexEntry } from '../../../../src/repository/manifest-format.js';
import type { ScanEntry } from '../../../../src/engine/scan/scan.js';

export const file = (path: string, over: Partial<ScanEntry> = {}): ScanEntry => ({ path, kind: 'file', ino: 1, size: 10, mtimeMs: 1000, ctimeMs: 1000, mode: 0o100600, uid: 5, gid: 5, nlink: 1, ...over });
export const prev = (path: string, over: Partial<IndexEntry> = {}): IndexEntry => ({ path, ino: 9, size: 10, mtimeMs: 1000, mode: 0o600, uid: 5, gid: 5, sha256: 'a'.repeat(64), isNew: false, ...over });
export const planner = (entries: IndexEntry[] | undefined, maildir = true) => new LinkPlanner(entries?.values(), { maildir, compare: compareBytes });

