import { describe, expect, it } from 'vitest';
import { type StatusEvent } from '../../../src/log/progress-status.js';
import { renderStatusLine, TtyRenderer } from '../../../src/log/progress-render.js';

const GiB = 1024 ** 3;

function sink(columns?: number) {
  const writes: string[] = [];
  return { writes, out: { write: (s: string) => writes.push(s), columns } };
}

describe('renderStatusLine', () => {
  const ev = (over: Partial<StatusEvent>): StatusEvent => ({ message_type: 'status', phase: 'mail', percent_done: 0, files_done: 0, bytes_done: 0, seconds_elapsed: 0, ...over });
  it('shows done of total, percent, rate and ETA', () => {
    const line = renderStatusLine(ev({ files_done: 12345, total_files: 36000, bytes_done: 1.2 * GiB, total_bytes: 3.5 * GiB, percent_done: 0.343, seconds_elapsed: 20, seconds_remaining: 42 }), 120);
    expect(line).toBe('mail  12,345/36,000 files  1.2 GiB/3.5 GiB  34%  61 MiB/s  ETA 0:42');
  });
  it('without totals: counts, rate and the elapsed clock', () => {
    expect(renderStatusLine(ev({ files_done: 7, bytes_done: 2048, seconds_elapsed: 2 }), 120)).toBe('mail  7 files  2.0 KiB  1.0 KiB/s  0:02');
    expect(renderStatusLine(ev({ phase: 'drill: database usermgmt', seconds_elapsed: 65 }), 120)).toBe('drill: database usermgmt  1:05');
  });
  it('never reaches the last column (a wrapped line cannot be rewritten)', () => {
    const line = renderStatusLine(ev({ phase: 'verify weekly/2026-10-04', files_done: 1_000_000, total_files: 2_000_000, bytes_done: GiB, total_bytes: 2 * GiB, seconds_elapsed: 9, seconds_remaining: 9 }), 40);
    expect(line.length).toBeLessThan(40);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('TtyRenderer', () => {
  it('rewrites one line in place, clears it for a log line and draws it again below', () => {
    const { writes, out } = sink(80);
    const r = new TtyRenderer(out);
    const ev: StatusEvent = { message_type: 'status', phase: 'mail', percent_done: 0, files_done: 3, bytes_done: 3, seconds_elapsed: 0 };
    r.show(ev);
    r.show(ev); // unchanged: nothing written
    r.print('mail: 3 files, 3 B copied in 0.01 s');
    r.end();
    expect(writes).toEqual(['\r\x1b[Kmail  3 files  3 B  0:00', '\r\x1b[K', 'mail: 3 files, 3 B copied in 0.01 s\n', 'mail  3 files  3 B  0:00', '\r\x1b[K']);
    expect(writes.slice(0, 1).join('')).not.toContain('\n');
  });
});
