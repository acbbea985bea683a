import { describe, expect, it } from 'vitest';
import { decideEntries } from '../../../src/find/index-plan.js';
import { formatIndexLine } from '../../../src/repository/manifest-format.js';

const H = (c: string) => c.repeat(64);
const prevLine = (path: string, sha: string, subject: string, folder = 'INBOX') =>
  [path, 'alice@example.com', folder, sha, '100', '2026-11-01T00:00:00Z', `${subject}@x`, 'a@x', 'alice@example.com', subject].join('\t');
/** a manifest.index line, as the engine writes it */
const row = (path: string, sha: string, isNew = false) => formatIndexLine({ path, sha256: sha, isNew, ino: 1, size: 100, mtimeMs: Date.UTC(2026, 10, 2), mode: 0o100600, uid: 5000, gid: 5000 }).slice(0, -1);
const classify = (path: string) => (/\/(cur|new)\/[^/]+$/.test(path) ? { user: 'alice@example.com', folder: path.includes('/.Trash/') ? 'Trash' : 'INBOX' } : undefined);

const M = 'mail/vmail/example.com/alice@example.com';
const prev = [
  '#mailbackup-messages 1\tpath',
  prevLine(`${M}/.Trash/cur/3.M3:2,S`, H('c'), 'moved out of trash', 'Trash'),
  prevLine(`${M}/cur/1.M1:2,`, H('a'), 'unchanged'),
  prevLine(`${M}/cur/2.M2:2,`, H('b'), 're-flagged'),
  prevLine(`${M}/cur/9.M9:2,`, H('9'), 'deleted'),
];

const decide = (rows: string[], lines = prev) => [...decideEntries(rows, lines, classify)];

describe('index plan', () => {
  it('keeps an unchanged line as it was, takes renamed and moved entries by content, reads only new content', () => {
    const rows = [
      row(`${M}/cur/1.M1:2,`, H('a')),
      row(`${M}/cur/2.M2:2,S`, H('b')), // flags changed: a new name, the same content
      row(`${M}/cur/3.M3:2,S`, H('c')), // moved from Trash to INBOX: after its old path in byte order
      row(`${M}/new/4.M4`, H('d'), true), // delivered today
    ];
    const d = decide(rows);
    expect(d.map((x) => x.kind)).toEqual(['carry', 'reuse', 'reuse', 'read']);
    expect(d[0]).toEqual({ kind: 'carry', line: prev[2] });
    expect(d[1].kind === 'reuse' && d[1].from.subject).toBe('re-flagged');
    expect(d[2].kind === 'reuse' && d[2].from.subject).toBe('moved out of trash');
    expect(d[3]).toEqual({ kind: 'read', row: { path: `${M}/new/4.M4`, sha256: H('d'), size: 100, mtimeMs: Date.UTC(2026, 10, 2), user: 'alice@example.com', folder: 'INBOX' } });
  });

  it('a file whose content changed under the same name is read again', () => {
    const d = decide([row(`${M}/cur/1.M1:2,`, H('e'), true)]);
    expect(d.map((x) => x.kind)).toEqual(['read']);
  });

  it('a renamed file whose new name sorts before the old one waits for it, and the order stays', () => {
    const old = [prevLine(`${M}/cur/1.M1:2,`, H('a'), 'first'), prevLine(`${M}/new/5.M5`, H('e'), 'delivered yesterday')];
    // new/5.M5 → cur/5.M5:2,S (read by the user): "cur/" sorts before "new/"
    const rows = [row(`${M}/cur/1.M1:2,`, H('a')), row(`${M}/cur/5.M5:2,S`, H('e')), row(`${M}/cur/6.M6:2,`, H('f'), true)];
    const d = decide(rows, old);
    expect(d.map((x) => x.kind)).toEqual(['carry', 'reuse', 'read']);
    expect(d[1].kind === 'reuse' && d[1].from.subject).toBe('delivered yesterday');
    expect(d[2].kind === 'read' && d[2].row.path).toBe(`${M}/cur/6.M6:2,`);
  });

  it('leaves out what is not a message (dovecot-uidlist, tmp/)', () => {
    const d = decide([row(`${M}/cur/1.M1:2,`, H('a')), row(`${M}/dovecot-uidlist`, H('f')), row(`${M}/tmp/5.M5`, H('g'))]);
    expect(d.map((x) => x.kind)).toEqual(['carry']);
  });

  it('without a previous index every message is read', () => {
    const rows = [row(`${M}/cur/1.M1:2,`, H('a')), row(`${M}/cur/2.M2:2,`, H('b'))];
    expect(decide(rows, []).map((x) => x.kind)).toEqual(['read', 'read']);
  });

  it('a linked file with no previous line at all is read in the end', () => {
    const d = decide([row(`${M}/cur/7.M7:2,`, H('7')), row(`${M}/cur/8.M8:2,`, H('8'), true)]);
    expect(d.map((x) => x.kind)).toEqual(['read', 'read']);
  });
});
