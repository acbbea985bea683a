/**
 * The reader protocol (issue 29 item 4): a reader's registration and a rotation's deletion never
 * interleave. Both halves run step by step on a real directory, in every possible order.
 * Holder judging (holder.ts) has its own tests; here every recorded holder is this process,
 * which is no `mailbackup` command line, so `judge` is made to call it live.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdState, holdSteps, listReaders, openReader } from '../../../src/repository/readers.js';
import { takeVictimSteps } from '../../../src/repository/rotate.js';
import { judgeReaders } from '../../../src/repository/readers.js';
import type * as Holder from '../../../src/repository/holder.js';
import { makeDestination } from '../../helpers/snapshot-builder.js';

vi.mock('../../../src/repository/holder.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Holder>()),
  judge: () => ({ kind: 'live' }),
}));

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('holdState', () => {
  it('a live or foreign intent makes the reader look again; a stale one is ignored', () => {
    expect(holdState(undefined, true)).toBe('held');
    expect(holdState(undefined, false)).toBe('gone');
    expect(holdState({ kind: 'live' }, true)).toBe('busy');
    expect(holdState({ kind: 'foreign', reason: 'mail02' }, true)).toBe('busy');
    expect(holdState({ kind: 'live' }, false)).toBe('busy');
    expect(holdState({ kind: 'stale', reason: 'pid 1 is gone' }, true)).toBe('held');
    expect(holdState({ kind: 'stale', reason: 'pid 1 is gone' }, false)).toBe('gone');
  });
});

/** Every way to merge `a` steps of one and `b` of the other: true = the reader's step. */
function schedules(a: number, b: number): boolean[][] {
  if (a === 0 || b === 0) return [[...Array(a).fill(true), ...Array(b).fill(false)]];
  return [...schedules(a - 1, b).map((s) => [true, ...s]), ...schedules(a, b - 1).map((s) => [false, ...s])];
}

function drive<T>(gen: Generator<void, T>): { step(): boolean; value?: T } {
  const box: { step(): boolean; value?: T } = {
    step() {
      const r = gen.next();
      if (r.done) box.value = r.value;
      return !r.done;
    },
  };
  return box;
}

describe('a reader and a rotation, interleaved every way', () => {
  const id = 'daily/2026-03-01';

  function once(order: boolean[]) {
    const root = makeDestination('mb-readers-');
    roots.push(root);
    const dir = join(root, 'daily', '2026-03-01');
    mkdirSync(join(dir, 'mail'), { recursive: true });
    writeFileSync(join(dir, 'mail', 'm1'), 'hello\n');
    const reader = openReader(root, 'verify');
    const r = drive(holdSteps(reader, root, { id, dir }));
    const w = drive(takeVictimSteps(root, id, dir, `${dir}.deleting`, () => judgeReaders(root)));
    let rAlive = true;
    let wAlive = true;
    // once held, the reader reads: after every later step its file must be there
    let unreadable = 0;
    const read = () => void (r.value?.state === 'held' && !existsSync(join(dir, 'mail', 'm1')) && unreadable++);
    for (const readerTurn of order) {
      if (readerTurn && rAlive) rAlive = r.step();
      else if (!readerTurn && wAlive) wAlive = w.step();
      read();
    }
    while (rAlive) rAlive = r.step();
    while (wAlive) {
      wAlive = w.step();
      read();
    }
    const held = r.value!.state === 'held';
    const heldBy = w.value;
    const listed = JSON.parse(readFileSync(reader.file, 'utf8')).snapshots as string[];
    reader.release();
    return { held, unreadable, state: r.value!.state, heldBy, renamed: !existsSync(dir) && existsSync(`${dir}.deleting`), listed, left: readdirSync(join(root, '.readers')) };
  }

  it('a snapshot a reader holds stays readable at every step; a reader that lost holds nothing', () => {
    const orders = schedules(3, 4);
    expect(orders).toHaveLength(35);
    const outcomes = orders.map((o) => ({ order: o.map((t) => (t ? 'R' : 'W')).join(''), ...once(o) }));
    for (const x of outcomes) {
      expect(x.held && x.renamed, x.order).toBe(false);
      expect(x.unreadable, x.order).toBe(0);
      if (x.held) {
        expect(x.heldBy, x.order).toEqual([expect.stringMatching(/`verify`/)]);
        expect(x.listed, x.order).toEqual([id]);
      } else expect(x.listed, x.order).toEqual([]);
      expect(x.left, x.order).toEqual([]); // the intent is gone once the victim is renamed or kept
    }
    // both outcomes occur: the reader first holds it, the rotation first deletes it
    expect(outcomes.find((x) => x.order === 'RRRWWWW')).toMatchObject({ held: true, renamed: false });
    expect(outcomes.find((x) => x.order === 'WWWWRRR')).toMatchObject({ state: 'gone', renamed: true });
    expect(outcomes.some((x) => x.state === 'busy')).toBe(true);
  });
});

describe('listReaders', () => {
  it('skips deletion intents and still reads a reader file of an older version', () => {
    const root = makeDestination('mb-readers-');
    roots.push(root);
    mkdirSync(join(root, '.readers'));
    const old = { pid: 4242, host: 'mail01', command: 'drill', startedAt: '2026-03-01T04:00:00Z', snapshots: ['daily/2026-03-01'] };
    writeFileSync(join(root, '.readers', 'mail01-4242-1772337600000-0.json'), JSON.stringify(old));
    writeFileSync(join(root, '.readers', 'deleting-daily-2026-03-01.json'), JSON.stringify({ ...old, command: 'rotate', snapshot: 'daily/2026-03-01' }));
    expect(listReaders(root).map((r) => r.record)).toEqual([old]);
  });
});
