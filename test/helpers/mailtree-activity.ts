/**
 * One day of mail-server life on a generated tree, as Dovecot would do it: deliveries into new/,
 * new→cur moves gaining `:2,S`, flag renames in place (`:2,S` → `:2,RS`), IMAP MOVEs between
 * folders (same file name), expunges, and index/uidlist updates. Paths returned are relative
 * to the mail dir (data/mail), i.e. as they appear under <snapshot>/mail/.
 */
import { appendFileSync, chownSync, existsSync, readdirSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appendIndexLog, FOLDERS, VMAIL_GID, VMAIL_UID } from './mailtree-maildir.js';
import { makeMessage, splitName, withFlags } from './mailtree-message.js';
import { createRng } from './prng.js';

export interface DayOptions {
  seed?: number;
  /** new deliveries, as a share of all existing messages */
  newFraction?: number;
  /** share of unseen new/ messages a client reads today (→ cur/ with :2,S) */
  seenFraction?: number;
  /** share of cur/ messages whose flags change (:2,S → :2,RS, …), renamed in place */
  readFraction?: number;
  /** share of cur/ messages moved to another folder */
  moveFraction?: number;
  /** share of messages expunged */
  expungeFraction?: number;
  /** delivery time of new messages (ms); default now − 1 min */
  now?: number;
  chown?: boolean;
}

export interface Rename {
  from: string;
  to: string;
}

export interface DayResult {
  counts: { delivered: number; read: number; flagged: number; moved: number; expunged: number };
  /** new message files */
  created: string[];
  /** every rename: new→cur, flag changes, moves */
  renamed: Rename[];
  read: Rename[];
  flagged: Rename[];
  moved: Rename[];
  /** expunged message files (paths before the day) */
  deleted: string[];
}

interface Msg {
  folder: string;
  sub: 'cur' | 'new';
  name: string;
}

function listMessages(folderDir: string): Msg[] {
  const out: Msg[] = [];
  for (const sub of ['cur', 'new'] as const) {
    const dir = join(folderDir, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) out.push({ folder: folderDir, sub, name });
  }
  return out;
}

/** Every user maildir under vmail/ whatever the layout: directories holding cur/, not Maildir++ folders. */
function findMaildirs(dir: string, depth = 3): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (existsSync(join(p, 'cur'))) out.push(p);
    else if (depth > 1) out.push(...findMaildirs(p, depth - 1));
  }
  return out;
}

/** <domain>/<address>/…, <domain>/<local>/…, <address>/… (relative to vmail/) → the address. */
function addressOf(rel: string): string {
  const parts = rel.split('/').filter((p) => p !== 'Maildir');
  return parts.find((p) => p.includes('@')) ?? (parts.length > 1 ? `${parts[1]}@${parts[0]}` : `${parts[0]}@example.com`);
}

const addFlag = (flags: string): string => (flags.includes('S') ? (flags.includes('R') ? `${flags}F` : `${flags}R`) : `${flags}S`);

export function simulateDay(root: string, opts: DayOptions = {}): DayResult {
  const o = { seed: 2, newFraction: 0.01, seenFraction: 0.5, readFraction: 0.01, moveFraction: 0.002, expungeFraction: 0.002, now: Date.now() - 60_000, chown: process.getuid?.() === 0, ...opts };
  const rng = createRng(o.seed);
  const mailDir = join(root, 'data', 'mail');
  const rel = (p: string): string => relative(mailDir, p);
  const result: DayResult = { counts: { delivered: 0, read: 0, flagged: 0, moved: 0, expunged: 0 }, created: [], renamed: [], read: [], flagged: [], moved: [], deleted: [] };
  const vmail = existsSync(join(mailDir, 'vmail')) ? join(mailDir, 'vmail') : mailDir; // docker-mailserver: no vmail/
  const mailboxes = findMaildirs(vmail);
  const total = mailboxes.reduce((n, mb) => n + FOLDERS.reduce((m, f) => m + listMessages(f.dir ? join(mb, f.dir) : mb).length, 0), 0);
  const rename = (from: string, to: string, list: Rename[]): void => {
    renameSync(from, to);
    const r = { from: rel(from), to: rel(to) };
    list.push(r);
    result.renamed.push(r);
  };

  for (const mb of mailboxes) {
    const address = addressOf(relative(vmail, mb));
    // Listed up front, so a message moved today is not touched again in its new folder.
    const before = FOLDERS.map((f) => ({ f, folderDir: f.dir ? join(mb, f.dir) : mb }))
      .map((x) => ({ ...x, messages: listMessages(x.folderDir) }));
    for (const { f, folderDir, messages } of before) {
      for (const m of messages) {
        const path = join(m.folder, m.sub, m.name);
        const { base, flags } = splitName(m.name);
        if (rng.chance(o.expungeFraction)) {
          unlinkSync(path);
          result.deleted.push(rel(path));
        } else if (m.sub === 'new') {
          if (rng.chance(o.seenFraction)) rename(path, join(m.folder, 'cur', withFlags(base, 'S')), result.read);
        } else if (rng.chance(o.moveFraction)) {
          const target = rng.pick(FOLDERS.filter((t) => t.dir !== f.dir));
          const targetDir = target.dir ? join(mb, target.dir) : mb;
          rename(path, join(targetDir, 'cur', m.name), result.moved);
          appendIndexLog(targetDir, rng);
        } else if (rng.chance(o.readFraction)) {
          rename(path, join(m.folder, 'cur', withFlags(base, addFlag(flags ?? ''))), result.flagged);
        }
      }
      appendIndexLog(folderDir, rng);
    }
    const deliveries = Math.round((total * o.newFraction) / mailboxes.length + rng.next() - 0.5);
    for (let i = 0; i < deliveries; i++) {
      const time = Math.floor(o.now / 1000) - rng.int(0, 86_000);
      const msg = makeMessage(rng, address, time);
      const path = join(mb, 'new', msg.base);
      writeFileSync(path, msg.content, { mode: 0o600 });
      if (o.chown) chownSync(path, VMAIL_UID, VMAIL_GID);
      utimesSync(path, time, time);
      appendFileSync(join(mb, 'dovecot-uidlist'), `${100000 + i} :${msg.base}\n`);
      result.created.push(rel(path));
    }
  }
  result.counts = { delivered: result.created.length, read: result.read.length, flagged: result.flagged.length, moved: result.moved.length, expunged: result.deleted.length };
  return result;
}
