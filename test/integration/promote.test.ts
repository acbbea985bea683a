/**
 * A same-day rerun replaces the day's snapshot through rotation's intent protocol (invariant 5):
 * a reader that holds the earlier snapshot keeps it, whole, and the new run stays `.partial`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { promote } from '../../src/backup/promote.js';
import { prepareDestination } from '../../src/repository/marker.js';

function destination(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'mb-promote-')), 'mailserver');
  prepareDestination(root);
  for (const name of ['2026-03-01', '2026-03-01.partial']) {
    mkdirSync(join(root, 'daily', name, 'mail'), { recursive: true });
    writeFileSync(join(root, 'daily', name, 'mail', 'msg'), name);
    writeFileSync(join(root, 'daily', name, 'backup.json'), JSON.stringify({ status: 'ok', date: '2026-03-01', kind: 'daily', finishedAt: new Date().toISOString() }));
  }
  return root;
}

/** A reader on another machine (it cannot be judged from here, so it holds what it names). */
function foreignReader(root: string, snapshot: string): void {
  mkdirSync(join(root, '.readers'), { recursive: true });
  const rec = { pid: 4242, host: 'mail02.example.com', machineId: 'f'.repeat(32), command: 'drill', startedAt: new Date().toISOString(), snapshots: [snapshot] };
  writeFileSync(join(root, '.readers', `mail02.example.com-4242-1-0.json`), JSON.stringify(rec));
}

describe('promote over the same day', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((r) => rmSync(join(r, '..'), { recursive: true, force: true })));

  it('replaces the earlier snapshot when nobody reads it', () => {
    const root = destination();
    roots.push(root);
    expect(promote(root, { kind: 'daily', date: '2026-03-01' }, 'ok')).toBe('replaced');
    expect(readFileSync(join(root, 'daily', '2026-03-01', 'mail', 'msg'), 'utf8')).toBe('2026-03-01.partial');
    expect(readdirSync(join(root, 'daily'))).toEqual(['2026-03-01']);
  });

  it('keeps the earlier snapshot whole while a reader holds it; the new run stays .partial', () => {
    const root = destination();
    roots.push(root);
    foreignReader(root, 'daily/2026-03-01');
    expect(promote(root, { kind: 'daily', date: '2026-03-01' }, 'ok')).toBe('kept-held');
    expect(readFileSync(join(root, 'daily', '2026-03-01', 'mail', 'msg'), 'utf8')).toBe('2026-03-01');
    expect(readdirSync(join(root, 'daily')).sort()).toEqual(['2026-03-01', '2026-03-01.partial']);
    expect(readdirSync(join(root, '.readers'))).toEqual(['mail02.example.com-4242-1-0.json']); // no intent left behind
  });
});
