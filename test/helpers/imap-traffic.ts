/**
 * Live IMAP traffic from a real client (imapflow), one connection per user, as fast as the server
 * answers: flag changes (a maildir rename), MOVEs between folders, APPENDs of new messages and
 * EXPUNGEs. Every Message-ID it expunges (or moves out of a folder) is recorded before the
 * command is sent, so a test can tell a message the backup lost from one a user deleted or moved. pause()/resume() hold all clients
 * between two operations (to take a consistent "before" picture of the store).
 */
import { ImapFlow } from 'imapflow';
import { IMAP_PASSWORD } from './imap-server.js';

export interface TrafficStats {
  ops: number;
  flags: number;
  moves: number;
  appends: number;
  expunges: number;
  errors: number;
}

export interface Traffic {
  stats: TrafficStats;
  /** Message-IDs expunged so far (with angle brackets, as in the header) */
  expunged: Set<string>;
  /** every Message-ID that left a folder (EXPUNGE or MOVE), in order, recorded before the command is sent */
  departed: string[];
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const FLAGS = ['\\Seen', '\\Flagged', '\\Answered', '$Label1'];

export async function startTraffic(port: number, users: string[], folders: string[], seed = 1): Promise<Traffic> {
  const stats: TrafficStats = { ops: 0, flags: 0, moves: 0, appends: 0, expunges: 0, errors: 0 };
  const expunged = new Set<string>();
  const departed: string[] = [];
  let rng = seed;
  const rnd = (n: number) => {
    rng = (rng * 1103515245 + 12345) % 2147483648;
    return Math.floor((rng / 2147483648) * n); // the high bits: an LCG's low bits repeat quickly
  };
  let stopped = false;
  let paused: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let idle = 0;
  let appended = 0;

  const connect = async (user: string) => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: IMAP_PASSWORD }, logger: false });
    c.on('error', () => { stats.errors++; });
    await c.connect();
    return c;
  };
  const clients = await Promise.all(users.map(async (user) => ({ user, c: await connect(user) })));

  async function one(user: string, c: ImapFlow): Promise<void> {
    const folder = folders[rnd(folders.length)];
    const lock = await c.getMailboxLock(folder);
    try {
      const exists = typeof c.mailbox === 'object' ? c.mailbox.exists : 0;
      const op = rnd(20);
      if (op < 2 || exists === 0) {
        const id = `<live-${seed}-${++appended}@traffic.test>`;
        const raw = `From: traffic@example.org\r\nTo: ${user}\r\nSubject: live ${appended}\r\nMessage-ID: ${id}\r\n\r\nbody ${appended}\r\n`;
        await c.append(folder, raw, rnd(2) ? ['\\Seen'] : []);
        stats.appends++;
        return;
      }
      const seq = 1 + rnd(exists);
      const msg = await c.fetchOne(String(seq), { uid: true, envelope: true });
      if (!msg) return;
      if (op < 3) {
        if (msg.envelope?.messageId) {
          expunged.add(msg.envelope.messageId);
          departed.push(msg.envelope.messageId);
        }
        await c.messageDelete(String(msg.uid), { uid: true });
        stats.expunges++;
      } else if (op < 7) {
        const target = folders.filter((f) => f !== folder)[rnd(folders.length - 1)];
        if (msg.envelope?.messageId) departed.push(msg.envelope.messageId);
        await c.messageMove(String(msg.uid), target, { uid: true });
        stats.moves++;
      } else {
        const flag = FLAGS[rnd(FLAGS.length)];
        if (msg.flags?.has(flag)) await c.messageFlagsRemove(String(msg.uid), [flag], { uid: true });
        else await c.messageFlagsAdd(String(msg.uid), [flag], { uid: true });
        stats.flags++;
      }
    } finally {
      lock.release();
    }
  }

  // An operation that hangs (a loaded machine, a server restart) must not hang the test: give up
  // on it, drop the connection and log in again.
  const withTimeout = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('IMAP operation timed out')), ms).unref())]);

  const loops = clients.map(async (client) => {
    while (!stopped) {
      if (paused) {
        idle++;
        await paused;
        continue;
      }
      try {
        await withTimeout(one(client.user, client.c), 20_000);
        stats.ops++;
      } catch {
        stats.errors++;
        if (!client.c.usable) {
          client.c.close();
          client.c = await connect(client.user).catch(() => client.c);
        }
      }
    }
    await withTimeout(client.c.logout(), 5000).catch(() => client.c.close());
  });

  const resume = () => {
    const r = release;
    paused = undefined;
    release = undefined;
    r?.();
  };
  return {
    stats,
    expunged,
    departed,
    resume,
    async pause() {
      if (paused) return;
      idle = 0;
      paused = new Promise((r) => (release = r));
      const deadline = Date.now() + 60_000;
      while (idle < clients.length) {
        if (Date.now() > deadline) throw new Error(`IMAP traffic: ${clients.length - idle} clients did not pause within 60 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      stopped = true;
      resume();
      await Promise.all(loops);
    },
  };
}
