import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { helpSections, renderManPages, roff } from '../../../src/cli/man.js';

const pages = renderManPages(buildProgram(async () => {}), { version: '9.8.7', date: '2026-12-01' });
const page = (file: string) => pages.find((p) => p.file === file)?.text ?? '';

describe('renderManPages', () => {
  it('writes one page per command and subcommand, none for help or the hidden __complete', () => {
    const files = pages.map((p) => p.file);
    for (const f of ['mailbackup.1', 'mailbackup-backup.1', 'mailbackup-restore.1', 'mailbackup-restore-mail.1', 'mailbackup-offsite-push.1', 'mailbackup-schedule.1']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /help|__complete/.test(f))).toEqual([]);
    expect(files).toHaveLength(24); // 21 + find, index and report
  });

  it("holds what `backup --help` says: name, usage, options, global options, exit status, locking", () => {
    const t = page('mailbackup-backup.1');
    expect(t).toMatch(/^\.TH MAILBACKUP\\-BACKUP 1 "2026-12-01" "mailbackup 9\.8\.7"/);
    expect(t).toContain('.SH NAME\nmailbackup\\-backup \\- make one verified snapshot, then rotate\n');
    expect(t).toContain('.SH SYNOPSIS\n.B mailbackup backup [options]\n');
    expect(t).toContain('.TP\n.B \\-\\-force\\-unlock\ntake over a lock written on another machine (only when no run there uses this disk)\n');
    expect(t).toMatch(/\.SH GLOBAL OPTIONS[\s\S]*\.B \\-\\-config <file>/);
    expect(t).toContain('.SH EXIT STATUS\n.TP\n.B 0\nOK\n');
    expect(t).toContain('.TP\n.B 75\nanother run holds the lock\n');
    expect(t).toMatch(/\.SH LOCKING\ntakes the destination lock/);
  });

  it('keeps paragraphs, lists subcommands with their pages, and names related pages', () => {
    expect(page('mailbackup-drill.1')).toMatch(/\.SH DESCRIPTION\nrestore everything to scratch, check it, time it, report\n\.PP\nRestores every file component/);
    expect(page('mailbackup-restore.1')).toContain('.B mail [options]\na mailbox, a folder, or the messages a filter selects: see mailbackup\\-restore\\-mail(1)\n');
    expect(page('mailbackup-restore-mail.1')).toMatch(/\.SH SEE ALSO\nmailbackup\\-restore\(1\)/);
  });

  it('formats with groff without a warning', () => {
    for (const p of pages) {
      const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: p.text, encoding: 'utf8' });
      expect({ file: p.file, stderr: r.stderr }).toEqual({ file: p.file, stderr: '' });
    }
  });
});

describe('roff and helpSections', () => {
  it('escapes backslashes and hyphens and guards control characters at line starts', () => {
    expect(roff('a\\b --x\n.lock\n\'q')).toBe('a\\eb \\-\\-x\n\\&.lock\n\\&\'q');
  });

  it('turns "Heading:" blocks into sections: indented lines into a list, text into a paragraph', () => {
    expect(helpSections('\nExit status:\n  0   OK\n  2   failed\n\nLocking: none.\n')).toEqual([
      '.SH EXIT STATUS', '.TP', '.B 0', 'OK', '.TP', '.B 2', 'failed', '.SH LOCKING', 'none.',
    ]);
  });
});
