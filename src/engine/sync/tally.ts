/** What one component's phases count, each phase its own tally, summed by syncComponent. */
import type { SyncOptions } from '../types.js';

type Progress = SyncOptions['progress'];

export class Tally {
  files = 0;
  bytes = 0;
  /** regular files written as new inodes in this snapshot (not shared with the previous one) */
  addedFiles = 0;
  addedBytes = 0;
  linkedRenames = 0;
  vanished = 0;
  recovered = 0;

  constructor(private readonly progress?: Progress) {}

  /**
   * `files` regular files of `bytes` in all, now in the snapshot; `isNew`: written as new inodes.
   * Told to the progress line unless rsync already told it of them (its items, copy.ts).
   */
  add(files: number, bytes: number, isNew: boolean, toldByRsync = false): void {
    this.files += files;
    this.bytes += bytes;
    if (isNew) {
      this.addedFiles += files;
      this.addedBytes += bytes;
    }
    if (!toldByRsync) this.progress?.add(files, bytes);
  }

  static sum(...tallies: Tally[]): Tally {
    const out = new Tally();
    for (const t of tallies) {
      out.files += t.files;
      out.bytes += t.bytes;
      out.addedFiles += t.addedFiles;
      out.addedBytes += t.addedBytes;
      out.linkedRenames += t.linkedRenames;
      out.vanished += t.vanished;
      out.recovered += t.recovered;
    }
    return out;
  }
}
