import { describe, expect, it } from 'vitest';
import { measureRto, renderMarkdown, rtoChecks, type DrillPhase, type DrillReport } from '../../../src/drill/report.js';

describe('tables, RTO and the report', () => {
  const phase = (name: string, durationMs: number): DrillPhase => ({ name, durationMs, ok: true, startedAt: '', finishedAt: '' });
  const phases = [phase('restore mail', 3_000_000), phase('restore ssl', 1000), phase('manifest', 9_000_000), phase('database usermgmt', 12_000_000)];

  it('measures RTO from restore and load phases only, and compares with the targets', () => {
    const rto = measureRto(phases);
    expect(rto).toEqual({ mailDbMs: 15_000_000, totalMs: 15_001_000 });
    expect(rtoChecks(rto, 4, 24).map((c) => c.status)).toEqual(['fail', 'ok']); // 4.17 h > 4 h
    expect(rtoChecks(rto, 5, 24).map((c) => c.status)).toEqual(['ok', 'ok']);
  });

  it('renders every phase with its time and every check', () => {
    const r: DrillReport = {
      format: 1, date: '2026-11-28', startedAt: 'a', finishedAt: 'b', ok: false, snapshot: 'daily/2026-11-27', host: 'h', workdir: '/w', kept: false, phases,
      checks: [{ name: 'manifest', status: 'fail', detail: 'content differs | x' }],
      rto: { mailDbMs: 1, totalMs: 2, targetMailDbHours: 4, targetTotalHours: 24 },
    };
    const md = renderMarkdown(r);
    expect(md).toMatch(/^# Recovery drill 2026-11-28: FAILED/);
    expect(md).toContain('| database usermgmt | 12000.0 | ok |');
    expect(md).toContain('| manifest | ✘ FAILED | content differs \\| x |');
  });
});
