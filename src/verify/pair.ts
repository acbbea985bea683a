/**
 * Pairs the files on disk with the entries of manifest.sha256. The manifest is written in byte
 * order of its paths and walkFiles yields that same order, so a streaming merge needs no map of
 * either side; a manifest not in that order (edited by hand, foreign tool) is paired through a
 * map instead, which costs memory but gives the same answers.
 */
import { compareBytes } from '../engine/manifest-format.js';
import { manifestEntries, readManifest, type ManifestEntry } from './manifest.js';
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
  const nextListed = async (): Promise<ManifestEntry | undefined> => {
    const r = await mi.next();
    if (r.done) return undefined;
    if (prev !== undefined && compareBytes(prev, r.value.path) >= 0) throw new UnsortedManifest(`${manifestFile} is not in byte order at ${r.value.path}`);
    prev = r.value.path;
    return r.value;
  };
  const nextOnDisk = async (): Promise<WalkedFile | undefined> => {
    const r = await wi.next();
    return r.done ? undefined : r.value;
  };
  try {
    let m = await nextListed();
    let w = await nextOnDisk();
    while (m || w) {
      signal?.throwIfAborted();
      const order = !m ? 1 : !w ? -1 : compareBytes(m.path, w.rel);
      if (order < 0) {
        await hooks.missing(m!.path, m!.sha256);
        m = await nextListed();
      } else if (order > 0) {
        hooks.unexpected(w!);
        w = await nextOnDisk();
      } else {
        await hooks.match(w!, m!.sha256);
        [m, w] = [await nextListed(), await nextOnDisk()];
      }
    }
  } finally {
    await mi.return(undefined);
    await wi.return(undefined);
  }
}

export async function pairByMap(snapDir: string, manifestFile: string, hooks: PairHooks, signal?: AbortSignal): Promise<void> {
  const listed = await readManifest(manifestFile);
  for await (const f of walkFiles(snapDir)) {
    signal?.throwIfAborted();
    const expected = listed.get(f.rel);
    if (expected === undefined) hooks.unexpected(f);
    else {
      listed.delete(f.rel); // what is left at the end is missing
      await hooks.match(f, expected);
    }
  }
  for (const [path, sha] of listed) await hooks.missing(path, sha);
}
