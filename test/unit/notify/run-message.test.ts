import { describe, expect, it } from 'vitest';
import { failedRunReport } from '../../helpers/run-report.js';
import { nextStep, runOutcome, runMail, runSubject, shouldMail } from '../../../src/notify/run-message.js';

const report = failedRunReport;

describe('run mail', () => {
  it('names the command, host, failed step and its error in the subject', () => {
    expect(runSubject(report())).toBe('[mailbackup] FAILED backup on mail01: databases — usermgmt dump exited 2');
    const two = report({ failures: [{ step: 'databases', error: 'x' }, { step: 'mail', error: 'y' }] });
    expect(runSubject(two)).toBe('[mailbackup] FAILED backup on mail01: databases — x (+1 more)');
  });

  it('says what failed, what is still safe and how old it is, the next step and the last 50 log lines', () => {
    const { text } = runMail(report());
    expect(text).toContain('databases: usermgmt dump exited 2');
    expect(text).toContain('latest -> daily/2026-11-27, finished 2026-11-27T03:20:00Z (24 h ago)');
    expect(text).toMatch(/MariaDB container/);
    expect(text).toContain('Last 50 log lines (30 earlier lines omitted)');
    expect(text).toContain('line 31\n');
    expect(text).toContain('line 80\n');
    expect(text).not.toContain('line 30\n');
  });

  it('keeps debug lines out of the log tail so errors are not pushed out', () => {
    const logLines = ['2026-11-28 03:00:01 ERROR dump failed', ...Array.from({ length: 60 }, (_, i) => `2026-11-28 03:00:02 DEBUG spawn ${i}`)];
    const { text } = runMail(report({ logLines }));
    expect(text).toContain('Last 1 log line:\n2026-11-28 03:00:01 ERROR dump failed');
    expect(text).not.toContain('DEBUG spawn');
  });

  it('warns loudly when no snapshot is safe at all', () => {
    expect(runMail(report({ latest: undefined })).text).toContain('NOTHING is safe yet');
    const unmounted = report({ latest: undefined, failures: [{ step: 'preflight', error: 'no .mailbackup marker' }] });
    expect(runMail(unmounted).text).toContain('Unknown: the backup disk could not be used');
  });

  it('mails failures always, warnings when onWarning, success only with onSuccess', () => {
    const ok = report({ exitCode: 0, failures: [] });
    const warn = report({ exitCode: 1, failures: [], warnings: ['destination disk 91% full'] });
    expect(shouldMail(report(), { onWarning: false, onSuccess: false })).toBe(true);
    expect(shouldMail(warn, { onWarning: true, onSuccess: false })).toBe(true);
    expect(shouldMail(warn, { onWarning: false, onSuccess: false })).toBe(false);
    expect(shouldMail(ok, { onWarning: true, onSuccess: false })).toBe(false);
    expect(shouldMail(ok, { onWarning: true, onSuccess: true })).toBe(true);
    expect(runSubject(warn)).toBe('[mailbackup] WARNING backup on mail01: destination disk 91% full');
    expect(runSubject(ok)).toBe('[mailbackup] OK backup on mail01: daily/2026-11-28');
  });

  it('treats a failure list as failed even with a wrong exit code, and 130 as interrupted', () => {
    expect(runOutcome(report({ exitCode: 0 }))).toBe('FAILED');
    expect(runOutcome(report({ exitCode: 130, failures: [] }))).toBe('INTERRUPTED');
  });

  it('points a preflight failure at the disk mount', () => {
    const r = report({ failures: [{ step: 'preflight', error: 'destination has no .mailbackup marker' }] });
    expect(nextStep(r)).toContain('mounted at /mnt/backup-hdd/mailserver');
  });
});
