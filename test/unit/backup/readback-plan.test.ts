/** Which new files are read back from the disk before promotion. */
import { describe, expect, it } from 'vitest';
import { planReadBack, Reservoir } from '../../../src/backup/readback-plan.js';
import { createRng } from '../../helpers/prng.js';

const MiB = 1024 * 1024;
const file = (path: string, size: number) => ({ path, size, sha256: 'x' });

describe('planReadBack', () => {
  it('reads every new file when they fit the budget, dumps first', () => {
    const c = [file('mail/a', 10), file('mysql/usermgmt.sql.gz', 100), file('mail/b', 10)];
    const plan = planReadBack(c, { files: 10, bytes: MiB });
    expect(plan.map((p) => p.path).sort()).toEqual(['mail/a', 'mail/b', 'mysql/usermgmt.sql.gz']);
    expect(plan[0].path).toBe('mysql/usermgmt.sql.gz');
  });
  it('stops at the byte budget, skipping a file that does not fit rather than cutting it', () => {
    const c = [file('mysql/db.sql.gz', 6 * MiB), file('mail/big', 8 * MiB), file('mail/small', MiB)];
    const plan = planReadBack(c, { files: 10, bytes: 8 * MiB });
    expect(plan.map((p) => p.path)).toEqual(['mysql/db.sql.gz', 'mail/small']);
  });
  it('stops at the file budget', () => {
    const c = Array.from({ length: 100 }, (_, i) => file(`mail/${i}`, 1));
    expect(planReadBack(c, { files: 7, bytes: MiB })).toHaveLength(7);
  });
  it('reads at least one file even when the first is larger than the budget', () => {
    expect(planReadBack([file('mysql/huge.sql.gz', 10 * MiB)], { files: 10, bytes: MiB })).toHaveLength(1);
  });
});

describe('Reservoir', () => {
  it('keeps a uniform sample: each of 1,000 items kept about keep/n of the time', () => {
    const rng = createRng(7);
    const counts = new Array(1000).fill(0);
    for (let round = 0; round < 400; round++) {
      const r = new Reservoir<number>(50, () => rng.next());
      for (let i = 0; i < 1000; i++) r.offer(i);
      expect(r.items).toHaveLength(50);
      expect(r.seen).toBe(1000);
      for (const i of r.items) counts[i]++;
    }
    // expected 400 * 50/1000 = 20 per item; the first and last hundred alike
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(counts.slice(0, 100))).toBeGreaterThan(16);
    expect(mean(counts.slice(0, 100))).toBeLessThan(24);
    expect(mean(counts.slice(900))).toBeGreaterThan(16);
    expect(mean(counts.slice(900))).toBeLessThan(24);
  });
});
