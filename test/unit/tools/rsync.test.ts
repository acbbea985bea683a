/** A failing rsync is reported in one line; vanished names are counted, not reported. */
import { describe, it, expect } from 'vitest';
import { countGoneAsVanished, describeRsyncFailure, rsyncArgs, summarizeRsyncStderr } from '../../../src/tools/rsync.js';

const STDERR = [
  'file has vanished: "/src/vmail/example.com/alice/cur/1.M1P1.mail:2,S"',
  'rsync: [sender] link_stat "/src/a" failed: No such file or directory (2)',
  'rsync: [sender] link_stat "/src/b" failed: No such file or directory (2)',
  'rsync: [receiver] mkstemp "/dst/.c.XXXX" failed: No space left on device (28)',
  'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338) [sender=3.2.7]',
  '',
].join('\n');

describe('rsync stderr', () => {
  it('counts vanished names apart from the error lines', () => {
    const s = summarizeRsyncStderr(STDERR);
    expect(s.vanished).toBe(1);
    expect(s.errorLines).toBe(4);
    expect(s.firstError).toBe('rsync: [sender] link_stat "/src/a" failed: No such file or directory (2)');
    expect(s.stderr).toBe(STDERR);
  });

  it('says the first cause and how many more lines there are', () => {
    const s = summarizeRsyncStderr(STDERR);
    expect([s.causeLines, s.goneErrors]).toEqual([3, 2]); // the "No space left" line is a real error
    const line = describeRsyncFailure({ exitCode: 23, ...s });
    expect(line).toBe('rsync: [sender] link_stat "/src/a" failed: No such file or directory (2) (and 3 more lines in the log file)');
    expect(line).not.toContain('\n');
  });

  it('takes a list of names only with --ignore-missing-args: a listed message may be renamed meanwhile', () => {
    const args = rsyncArgs({ srcRoot: '/s', dest: '/d', filesFrom: '/tmp/list' });
    expect(args).toContain('--ignore-missing-args');
    expect(rsyncArgs({ srcRoot: '/s', dest: '/d' })).not.toContain('--ignore-missing-args');
  });

  it('mirrors with the whole file list up front and an I/O timeout (rsync deadlocked under live traffic otherwise)', () => {
    const mirror = rsyncArgs({ srcRoot: '/s', dest: '/d' });
    expect(mirror).toContain('--no-inc-recursive');
    expect(mirror.some((a) => /^--timeout=\d+$/.test(a))).toBe(true);
  });

  it('counts exit 23 as vanished names only when every error is a name gone (llistxattr of a renamed file)', () => {
    const gone = [
      'rsync: [sender] get_xattr_names: llistxattr("/src/vmail/a/dovecot-uidlist.tmp",1024) failed: No such file or directory (2)',
      'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338) [sender=3.2.7]',
    ].join('\n');
    expect(countGoneAsVanished({ exitCode: 23, ...summarizeRsyncStderr(gone) })).toMatchObject({ exitCode: 24, vanished: 1 });
    expect(countGoneAsVanished({ exitCode: 23, ...summarizeRsyncStderr(STDERR) }).exitCode).toBe(23);
  });
});
