import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, progressMode } from '../../../src/log/progress.js';

function sink(columns?: number) {
  const writes: string[] = [];
  return { writes, out: { write: (s: string) => writes.push(s), columns } };
}

describe('progressMode: the one place that decides', () => {
  it('shows a line only on a terminal, never with --quiet, none or TERM=dumb; json when asked', () => {
    expect(progressMode({ isTTY: true })).toBe('tty');
    expect(progressMode({ isTTY: false })).toBe('none');
    expect(progressMode({ isTTY: true, quiet: true })).toBe('none');
    expect(progressMode({ isTTY: true, request: 'none' })).toBe('none');
    expect(progressMode({ isTTY: true, term: 'dumb' })).toBe('none');
    expect(progressMode({ isTTY: false, request: 'json' })).toBe('json');
    expect(progressMode({ isTTY: false, request: 'json', quiet: true })).toBe('json');
  });
});

describe('createProgress', () => {
  it('json: NDJSON status lines, each phase ending with 100 % and a summary; log lines wrapped too', () => {
    const { writes, out } = sink();
    const p = createProgress('json', out);
    const ph = p.phase('verify daily/2026-10-01', { files: 4, bytes: 400 });
    ph.add(2, 200);
    p.print('a log line');
    ph.add(2, 200);
    ph.done();
    p.close();
    const events = writes.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ message_type: 'status', phase: 'verify daily/2026-10-01', percent_done: 0, total_files: 4, total_bytes: 400 });
    expect(events).toContainEqual({ message_type: 'log', text: 'a log line' });
    expect(events.at(-2)).toMatchObject({ message_type: 'status', percent_done: 1, files_done: 4, bytes_done: 400, seconds_remaining: 0 });
    expect(events.at(-1)).toMatchObject({ message_type: 'summary', files_done: 4, bytes_done: 400 });
  });
  it('a failed phase ends without 100 %; none prints log lines only', () => {
    const j = sink();
    const p = createProgress('json', j.out);
    p.phase('mail').done(false);
    expect(j.writes.map((l) => JSON.parse(l).percent_done)).toEqual([0]);
    const n = sink();
    const q = createProgress('none', n.out);
    const ph = q.phase('mail', { files: 1 });
    ph.add(1, 1);
    ph.done();
    q.print('hello');
    expect(n.writes).toEqual(['hello\n']);
  });
  it('tty: the newest open phase is shown; when it ends, the one below comes back', () => {
    const { writes, out } = sink(80);
    const p = createProgress('tty', out);
    const outer = p.phase('backup');
    const inner = p.phase('mail');
    inner.done();
    outer.done();
    p.close();
    expect(writes).toEqual(['\r\x1b[Kbackup  0:00', '\r\x1b[Kmail  0:00', '\r\x1b[K', '\r\x1b[Kbackup  0:00', '\r\x1b[K']);
  });
});

describe('redraw rate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it('a terminal line is drawn at most 4 times a second however fast work is added', () => {
    vi.useFakeTimers();
    const { writes, out } = sink(80);
    const p = createProgress('tty', out);
    const ph = p.phase('mail', { files: 100_000 });
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 1000; j++) ph.add(1, 100);
        vi.advanceTimersByTime(25); // 40 × 25 ms = one second, 40,000 files
      }
    }
    ph.done();
    const draws = writes.filter((w) => w.startsWith('\r\x1b[Kmail'));
    expect(draws.length).toBeGreaterThanOrEqual(3 * 3); // it does move…
    expect(draws.length).toBeLessThanOrEqual(1 + 3 * 4); // …but no faster than 4 a second
    // eslint-disable-next-line no-control-regex -- the terminal's escape bytes are what is asserted
    expect(draws.at(-1)).toMatch(/^\r\x1b\[Kmail {2}1\d\d,\d{3}\/100,000 files/); // 120,000 added: the last draw is near the end
  });
  it('json: one status line a second', () => {
    vi.useFakeTimers();
    const { writes, out } = sink();
    const p = createProgress('json', out);
    const ph = p.phase('verify', { files: 10 });
    for (let i = 0; i < 100; i++) {
      ph.add(0.1);
      vi.advanceTimersByTime(50); // 5 s in all
    }
    ph.done();
    const status = writes.map((w) => JSON.parse(w)).filter((e) => e.message_type === 'status');
    expect(status.length).toBeGreaterThanOrEqual(1 + 4 + 1);
    expect(status.length).toBeLessThanOrEqual(1 + 5 + 1);
  });
});
