/**
 * Progress for a person at a terminal (issue 13), seen through a real pseudo-terminal (tmux):
 * a first backup and a `verify --full` of a 35,000-message store show one live line that moves
 * and gives way to the phase's summary sentence; without a terminal, and with --quiet, there is
 * no progress at all; --progress=json writes NDJSON events that end each phase at 100 %.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createFixture, type Fixture } from '../helpers/harness.js';
import { runInTerminal, type TerminalRun } from '../helpers/terminal.js';

const D1 = '2026-10-01';
const D2 = '2026-10-02';
/** the live line: "<phase>  12,345/35,447 files  …" or, before totals are known, "<phase>  12,345 files  …" */
const LIVE = /^(\S+(?: \S+)?) {2}([\d,]+)(?:\/([\d,]+))? files\b/;
const num = (s: string) => Number(s.replace(/,/g, ''));

/** every frame the terminal was sent: a redraw starts with \r + erase-line */
function frames(raw: string): { phase: string; done: number; total?: number; text: string }[] {
  return raw
    .split('\r\x1b[K')
    .map((f) => f.split('\n')[0])
    .map((text) => ({ text, m: LIVE.exec(text) }))
    .filter((x) => x.m)
    .map(({ text, m }) => ({ phase: m![1], done: num(m![2]), total: m![3] ? num(m![3]) : undefined, text }));
}

let fx: Fixture;
let backup: TerminalRun;
let verify: TerminalRun;
const inTerminal = (args: string[]) => {
  const env = Object.fromEntries(Object.entries(fx.env).filter(([k, v]) => process.env[k] !== v));
  return runInTerminal([process.execPath, cliPath(), '--config', fx.configPath, ...args], env);
};

beforeAll(async () => {
  fx = await createFixture({
    tree: { seed: 13, domains: 2, usersPerDomain: 5, messagesPerFolder: 500, attachmentFraction: 0 },
    destSizeMiB: 1024,
    config: { log: { level: 'info' } },
  });
  backup = await inTerminal(['backup', '--date', D1]);
  verify = await inTerminal(['verify', '--full']);
});

afterAll(async () => {
  await fx?.cleanup();
});

describe('on a terminal', () => {
  it('a first backup shows the mail copy moving towards the counted total, then its summary', () => {
    expect(backup.exitCode).toBe(0);
    const mail = frames(backup.raw).filter((f) => f.phase === 'mail');
    const counts = mail.map((f) => f.done);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // never backwards
    // the scan is done: done of total, percent and ETA
    expect(mail.some((f) => f.total !== undefined && f.total >= 35_000 && /\d+% {2}.*ETA \d+:\d\d/.test(f.text))).toBe(true);
    expect(frames(backup.raw).some((f) => f.phase === 'manifest')).toBe(true);
    // several screens taken while it ran show the live line
    const live = backup.captures.filter((c) => c.split('\n').some((l) => LIVE.test(l)));
    expect(live.length).toBeGreaterThanOrEqual(2);
  });

  it('the backup screen ends with sentences: no live line left, no field=value, no null, no JSON', () => {
    const screen = backup.screen;
    expect(screen).toMatch(/^mail: 35,\d{3} files, [\d.]+ MiB copied in [\d.]+ s$/m);
    expect(screen).toMatch(/^manifest: 35,\d{3} files, .* hashed, .* in [\d.]+ s$/m);
    expect(screen).toMatch(/^backup finished: ok$/m);
    expect(screen).toMatch(/^backup daily\/2026-10-01: ok$/m);
    expect(screen.split('\n').filter((l) => LIVE.test(l))).toEqual([]);
    expect(screen).not.toMatch(/\w=\S|null|[{}]/);
    // each summary once: the live line never scrolled into the log
    expect(screen.match(/^mail: /gm)).toHaveLength(1);
  });

  it('verify --full shows the files checked moving, then the verified sentence', () => {
    expect(verify.exitCode).toBe(0);
    const fs = frames(verify.raw).filter((f) => f.phase === `verify daily/${D1}`);
    expect(new Set(fs.map((f) => f.done)).size).toBeGreaterThanOrEqual(2);
    expect(fs.every((f) => f.total !== undefined && f.total >= 35_000)).toBe(true);
    expect(verify.screen).toMatch(new RegExp(`^daily/${D1} verified \\(full\\): 35,\\d{3} files, .* hashed, in [\\d.]+ s$`, 'm'));
    expect(verify.screen.split('\n').filter((l) => LIVE.test(l))).toEqual([]);
  });
});

describe('not on a terminal', () => {
  it('verify --full through a pipe prints no progress', async () => {
    const r = await fx.run(['verify', '--full']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/INFO {2}daily\/2026-10-01 verified \(full\)/);
    // eslint-disable-next-line no-control-regex -- no terminal escape may reach a pipe
    expect(r.stderr).not.toMatch(/\r|\x1b|\d\/[\d,]+ files|ETA/);
  });

  it('a good backup with --quiet prints nothing at all', async () => {
    const r = await fx.run(['--quiet', 'backup', '--date', D2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('--progress=json: NDJSON on stderr ending each phase at 100 %; stdout stays one result document', async () => {
    const r = await fx.run(['--json', '--progress=json', 'verify', '--full', `daily/${D2}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const status = events.filter((e) => e.message_type === 'status');
    expect(status.length).toBeGreaterThanOrEqual(2);
    for (const e of status) {
      expect(e).toMatchObject({ phase: `verify daily/${D2}`, total_files: expect.any(Number), total_bytes: expect.any(Number) });
      expect(e.percent_done).toBeGreaterThanOrEqual(0);
      expect(e.percent_done).toBeLessThanOrEqual(1);
    }
    expect(status.at(-1)).toMatchObject({ percent_done: 1, seconds_remaining: 0 });
    expect(status.at(-1).files_done).toBe(status.at(-1).total_files);
    const summary = events.findIndex((e) => e.message_type === 'summary');
    expect(summary).toBe(events.indexOf(status.at(-1)) + 1);
    expect(events.filter((e) => e.message_type === 'log').map((e) => e.text).join('\n')).toMatch(/verified \(full\)/);
  });
});

/** NDJSON stderr → the phases seen, each checked to end with a 100 % status followed by its summary */
function endedPhases(stderr: string): Map<string, { files: number; total?: number }> {
  const events = stderr.trim().split('\n').map((l) => JSON.parse(l));
  const out = new Map<string, { files: number; total?: number }>();
  events.forEach((e, i) => {
    if (e.message_type !== 'summary') return;
    expect(events[i - 1]).toMatchObject({ message_type: 'status', phase: e.phase, percent_done: 1 });
    out.set(e.phase, { files: e.files_done, total: events[i - 1].total_files });
  });
  return out;
}

describe('--progress=json for the other long phases', () => {
  it('restore all: one phase per component, mail counting every message', async () => {
    const r = await fx.run(['--progress=json', 'restore', 'all', '--to', join(fx.base, 'restored-all')]);
    expect(r.code, r.stderr).toBe(0);
    const phases = endedPhases(r.stderr);
    expect([...phases.keys()]).toEqual(expect.arrayContaining(['restore mail', 'restore ssl', 'restore dkim', 'restore config']));
    expect(phases.get('restore mail')!.files).toBeGreaterThanOrEqual(fx.tree.totalMessages);
  });

  it('restore mail --to: the messages of one mailbox', async () => {
    const user = fx.tree.users[0];
    const r = await fx.run(['--progress=json', 'restore', 'mail', '--user', user.address, '--to', join(fx.base, 'restored-mail')]);
    expect(r.code, r.stderr).toBe(0);
    const p = endedPhases(r.stderr).get(`restore mail ${user.address}`);
    // every message, plus the folders' Dovecot metadata files the copy brings along
    expect(p!.files).toBe(p!.total);
    expect(p!.files).toBeGreaterThanOrEqual(user.messages);
  });

  it('drill: its phases, the restores counting files', async () => {
    // not under the fixture's 0700 temp dir: Dovecot runs as the mailbox owner and must reach it
    const work = mkdtempSync('/var/tmp/mailbackup-progress-drill-');
    chmodSync(work, 0o711);
    let r;
    try {
      r = await fx.run(['--progress=json', 'drill', '--workdir', work]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    expect(r.code, r.stderr).toBe(0);
    const phases = endedPhases(r.stderr);
    expect(phases.get('drill: restore mail')!.files).toBeGreaterThanOrEqual(fx.tree.totalMessages);
    expect([...phases.keys()]).toEqual(expect.arrayContaining(['drill: manifest', 'drill: database usermgmt']));
  });

  it('rotate: deleting snapshots is one phase towards their recorded file count', async () => {
    fx.writeConfig({ retention: { daily: 1, weekly: 0 } });
    const r = await fx.run(['--progress=json', 'rotate']);
    expect(r.code, r.stderr).toBe(0);
    const p = endedPhases(r.stderr).get('rotate');
    expect(p!.files).toBeGreaterThanOrEqual(35_000);
    expect(p!.files).toBe(p!.total);
  });
});

describe('mailbackup --help', () => {
  it('lists each command on one line; help <command> keeps the long description', () => {
    const help = execFileSync(process.execPath, [cliPath(), '--help'], { encoding: 'utf8' });
    const commands = help.split('Commands:\n')[1].split('\n\n')[0].split('\n');
    expect(commands.map((l) => l.trim().split(/\s+/)[0])).toEqual(expect.arrayContaining(['backup', 'rotate', 'verify', 'list', 'status', 'restore', 'drill', 'init', 'schedule', 'help']));
    // no wrapped continuation line: every line is a command, its summary on the same line
    for (const l of commands) expect(l).toMatch(/^ {2}[a-z][\w-]*(?: \[\w+\])*(?: \[?<?\w+>?\]?)? {2,}\S/);
    expect(help).not.toMatch(/Restores every file component/);
    expect(execFileSync(process.execPath, [cliPath(), 'help', 'drill'], { encoding: 'utf8' })).toMatch(/Restores every file component/);
  });
});
