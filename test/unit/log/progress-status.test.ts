import { describe, expect, it } from 'vitest';
import { statusOf, type PhaseState } from '../../../src/log/progress-status.js';

const GiB = 1024 ** 3;
const phase = (over: Partial<PhaseState>): PhaseState => ({ name: 'mail', startedAt: 0, files: 0, bytes: 0, totals: {}, finished: false, ...over });

describe('statusOf', () => {
  it('takes the fraction from bytes, estimates the rest from the elapsed time', () => {
    const s = statusOf(phase({ files: 100, bytes: GiB, totals: { files: 400, bytes: 4 * GiB } }), 10_000);
    expect(s).toMatchObject({ message_type: 'status', percent_done: 0.25, files_done: 100, total_files: 400, seconds_elapsed: 10, seconds_remaining: 30 });
  });
  it('falls back to files, and never says 100 % before the phase is done', () => {
    expect(statusOf(phase({ files: 50, totals: { files: 200 } }), 2000).percent_done).toBe(0.25);
    const over = statusOf(phase({ files: 300, bytes: 5 * GiB, totals: { files: 200, bytes: 4 * GiB } }), 2000);
    expect(over.percent_done).toBeLessThan(1);
    expect(statusOf(phase({ files: 300, finished: true, totals: { files: 200 } }), 2000)).toMatchObject({ percent_done: 1, seconds_remaining: 0 });
  });
  it('has no ETA without totals or in the first second', () => {
    expect(statusOf(phase({ files: 10, bytes: 10 }), 5000).seconds_remaining).toBeUndefined();
    expect(statusOf(phase({ files: 10, totals: { files: 20 } }), 500).seconds_remaining).toBeUndefined();
  });
});
