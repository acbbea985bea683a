import { describe, expect, it } from 'vitest';
import { decideEntries, unmatchedPrevious, type MessageRow } from '../../../src/find/index-plan.js';

const H = (c: string) => c.repeat(64);
const prevLine = (path: string, sha: string, subject: string, folder = 'INBOX') =>
  [path, 'alice@example.com', folder, sha, '100', '2026-11-01T00:00:00Z', `${subject}@x`, 'a@x', 'alice@example.com', subject].join('\t');
const row = (path: string, sha: string, folder = 'INBOX'): MessageRow => ({ path, sha256: sha, size: 100, mtimeMs: Date.UTC(2026, 10, 2), user: 'alice@example.com', folder });

const M = 'mail/vmail/example.com/alice@example.com';
const prev = [
  '#mailbackup-messages 1\tpath',
  prevLine(`${M}/.Trash/cur/3.M3:2,S`, H('c'), 'moved out of trash', 'Trash'),
  prevLine(`${M}/cur/1.M1:2,`, H('a'), 'unchanged'),
  prevLine(`${M}/cur/2.M2:2,`, H('b'), 're-flagged'),
  prevLine(`${M}/cur/9.M9:2,`, H('9'), 'deleted'),
];

function decide(rows: MessageRow[], lines = prev) {
  const unmatched = unmatchedPrevious(rows, lines);
  return [...decideEntries(rows, lines, unmatched)];
}

describe('index plan', () => {
  it('keeps an unchanged line as it was, takes renamed and moved entries by content, reads only new content', () => {
    const rows = [
      row(`${M}/cur/1.M1:2,`, H('a')),
      row(`${M}/cur/2.M2:2,S`, H('b')), // flags changed: a new name, the same content
      row(`${M}/cur/3.M3:2,S`, H('c')), // moved from Trash to INBOX: after its old path in byte order
      row(`${M}/new/4.M4`, H('d')), // delivered today
    ];
    const d = decide(rows);
    expect(d.map((x) => x.kind)).toEqual(['carry', 'reuse', 'reuse', 'read']);
    expect(d[0]).toEqual({ kind: 'carry', line: prev[2] });
    expect(d[1].kind === 'reuse' && d[1].from.subject).toBe('re-flagged');
    expect(d[2].kind === 'reuse' && d[2].from.subject).toBe('moved out of trash');
    expect(d[3]).toEqual({ kind: 'read', row: rows[3] });
  });

  it('a file whose content changed under the same name is read again', () => {
    const d = decide([row(`${M}/cur/1.M1:2,`, H('e'))]);
    expect(d.map((x) => x.kind)).toEqual(['read']);
  });

  it('without a previous index every message is read', () => {
    const rows = [row(`${M}/cur/1.M1:2,`, H('a')), row(`${M}/cur/2.M2:2,`, H('b'))];
    expect(decide(rows, []).map((x) => x.kind)).toEqual(['read', 'read']);
  });

  it('holds only the previous lines that left their path (deleted, renamed, moved)', () => {
    const rows = [row(`${M}/cur/1.M1:2,`, H('a')), row(`${M}/cur/2.M2:2,S`, H('b'))];
    expect([...unmatchedPrevious(rows, prev).keys()].sort()).toEqual([H('9'), H('b'), H('c')].sort());
  });
});
