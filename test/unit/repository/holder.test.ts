/** The staleness rules of a lock holder, over plain facts (issue 16). Real processes: test/e2e/locks.test.ts. */
import { describe, expect, it } from 'vitest';
import { isMailbackupCommandLine, judgeHolder, parseProcStat, type HolderRecord, type ProcessFacts, type SystemFacts } from '../../../src/repository/holder.js';

const sys: SystemFacts = { host: 'mail01', machineId: 'm1', bootId: 'boot-now', bootTime: new Date('2026-11-30T00:00:00Z') };
const rec: HolderRecord = { pid: 4242, host: 'mail01', machineId: 'm1', bootId: 'boot-now', procStart: '777', command: 'backup', startedAt: '2026-12-01T03:00:00Z' };
const proc: ProcessFacts = { state: 'S', startTicks: '777', cmdline: ['/usr/bin/node', '/usr/local/bin/mailbackup', 'backup'] };

describe('judgeHolder', () => {
  it('a running mailbackup started in this boot, with the recorded start time, is live', () => {
    expect(judgeHolder(rec, sys, proc)).toEqual({ kind: 'live' });
  });
  it('another boot id is stale even when the pid is alive', () => {
    expect(judgeHolder({ ...rec, bootId: 'boot-before' }, sys, proc)).toMatchObject({ kind: 'stale', reason: expect.stringMatching(/before this boot/) });
  });
  it('an old lock without a boot id is stale when written before the boot time', () => {
    const old = { pid: 1, host: 'mail01', command: 'backup', startedAt: '2026-01-01T00:00:00Z' };
    expect(judgeHolder(old, sys, proc)).toMatchObject({ kind: 'stale', reason: expect.stringMatching(/before this boot/) });
    expect(judgeHolder({ ...old, startedAt: '2026-12-01T00:00:00Z' }, sys, proc)).toEqual({ kind: 'live' });
  });
  it('a gone, zombie or reused pid is stale', () => {
    expect(judgeHolder(rec, sys, undefined)).toMatchObject({ kind: 'stale', reason: 'pid 4242 is gone' });
    expect(judgeHolder(rec, sys, { ...proc, state: 'Z', cmdline: [] })).toMatchObject({ kind: 'stale', reason: expect.stringMatching(/zombie/) });
    expect(judgeHolder(rec, sys, { ...proc, startTicks: '778' })).toMatchObject({ kind: 'stale', reason: expect.stringMatching(/another process/) });
  });
  it('a pid that runs something other than mailbackup is stale', () => {
    expect(judgeHolder({ ...rec, procStart: undefined }, sys, { ...proc, cmdline: ['/usr/sbin/cron', '-f'] })).toMatchObject({ kind: 'stale', reason: expect.stringMatching(/cron -f`, not a mailbackup run/) });
  });
  it('another host name or machine id is foreign, never stale', () => {
    expect(judgeHolder({ ...rec, host: 'mail02' }, sys, undefined).kind).toBe('foreign');
    expect(judgeHolder({ ...rec, machineId: 'm2' }, sys, undefined).kind).toBe('foreign');
  });
});

describe('proc parsing', () => {
  it('reads state and start time after a command name holding spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'Z';
    expect(parseProcStat(`123 (a) b (c) ${fields.join(' ')}`)).toEqual({ state: 'Z', startTicks: '22' });
  });
  it('recognises mailbackup command lines', () => {
    expect(isMailbackupCommandLine(['node', '/opt/mailbackup/dist/mailbackup.mjs', 'drill'])).toBe(true);
    expect(isMailbackupCommandLine(['mailbackup', 'verify'])).toBe(true);
    expect(isMailbackupCommandLine(['node', '/srv/app/server.js', 'mailbackup'])).toBe(false);
  });
});
