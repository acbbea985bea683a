/**
 * Pairs the files on disk with the entries of manifest.sha256. The manifest is written in byte
 * order of its paths and walkFiles yields that same order, so a streaming merge needs no map of
 * either side; a manifest not in that order (edited by hand, foreign tool) is paired through a
 * map instead, which costs memory but gives the same answers.
 */
import { compareBytes, manifestEntries, readManifest, type ManifestEntry } from '../repository/manifest-format.js';
import { walkFiles, type WalkedFile } from './walk.js';

export interface PairHooks {
  /** on disk and listed; awaited, so the caller can apply back-pressure */
  match(f: WalkedFile, expectedSha256: string): Promise<void> | void;
  /** listed, not on disk (awaited too: the drill hashes a dump where it lies instead) */
  missing(path: string, expectedSha256: string): Promise<void> | void;
  /** on disk, not listed */
  unexpected(f: WalkedFile): void;
}

export class UnsortedManifest extends Error {}

export async function mergeWithManifest(snapDir: string, manifestFile: string, hooks: PairHooks, signal?: AbortSignal): Promise<void> {
  const mi = manifestEntries(manifestFile);
  const wi = walkFiles(snapDir);
  let prev: string | undefined;
  const nextListed = (): ManifestEntry | undefined => {
    const r = mi.next();
    if (r.done) return undefined;
    if (prev !== undefined && compareBytes(prev, r.value.path) >= 0) throw new UnsortedManifest(`${manifestFile} is not in byte order at ${r.value.path}`);
    prev = r.value.path;
    return r.value;
  };
  const nextOnDisk = (): WalkedFile | undefined => {
    const r = wi.next();
    return r.done ? undefined : r.value;
  };
  try {
    let m = nextListed();
    let w = nextOnDisk();
    while (m || w) {
      signal?.throwIfAborted();
      const order = !m ? 1 : !w ? -1 : compareBytes(m.path, w.rel);
      // a hook's promise is awaited (back-pressure), but most calls return none: no await then,
      // which at 1 M files is a million microtask turns saved
      if (order < 0) {
        const p = hooks.missing(m!.path, m!.sha256);
        if (p) await p;
        m = nextListed();
      } else if (order > 0) {
        hooks.unexpected(w!);
        w = nextOnDisk();
      } else {
        const p = hooks.match(w!, m!.sha256);
        if (p) await p;
        m = nextListed();
        w = nextOnDisk();
      }
    }
  } finally {
    mi.return(undefined);
    wi.return(undefined);
  }
}

export async function pairByMap(snapDir: string, manifestFile: string, hooks: PairHooks, signal?: AbortSignal): Promise<void> {
  const listed = await readManifest(manifestFile);
  for (const f of walkFiles(snapDir)) {
    signal?.throwIfAborted();
    const expected = listed.get(f.rel);
    if (expected === undefined) hooks.unexpected(f);
    else {
      listed.delete(f.rel); // what is left at the end is missing
      const p = hooks.match(f, expected);
      if (p) await p;
    }
  }
  for (const [path, sha] of listed) await hooks.missing(path, sha);
}
