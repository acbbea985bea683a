/** A phase's counts: files in the snapshot, the new inodes among them, and what the progress line is told. */
import { describe, it, expect } from 'vitest';
import { Tally } from '../../../../src/engine/sync/tally.js';

describe('Tally', () => {
  it('counts linked and new files, tells the progress line unless rsync told it, and sums phases', () => {
    const told: number[][] = [];
    const progress = { add: (files: number, bytes: number) => void told.push([files, bytes]) };
    const linked = new Tally(progress);
    linked.add(3, 300, false);
    const copied = new Tally(progress);
    copied.add(1, 10, true, true);
    copied.vanished = 2;
    const sum = Tally.sum(linked, copied);
    expect([sum.files, sum.bytes, sum.addedFiles, sum.addedBytes, sum.vanished]).toEqual([4, 310, 1, 10, 2]);
    expect(told).toEqual([[3, 300]]);
  });
});
