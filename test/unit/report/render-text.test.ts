/** The report as text: runs table, what went wrong under it, charts only when asked, status lines. */
import { describe, expect, it } from 'vitest';
import { reportMail } from '../../../src/report/index.js';
import { renderReportText } from '../../../src/report/render-text.js';
import { sampleModel } from '../../helpers/report-model.js';

const BLOCK = /[▁▂▃▄▅▆▇█]/;

describe('renderReportText', () => {
  const m = sampleModel();
  const plain = renderReportText(m, { charts: false });

  it('opens with the period and its totals, then one row per run', () => {
    expect(plain[0]).toBe('mailbackup report for mail01: 2026-12-03 … 2026-12-10 (7 days)');
    expect(plain[1]).toBe('8 run(s): 6 ok, 2 failed; 48 GiB added; 2 h 00 min in total');
    expect(plain[3]).toMatch(/^STARTED +KIND +RESULT +DURATION +FILES ADDED +BYTES ADDED +WARNINGS$/);
    expect(plain).toContainEqual(expect.stringMatching(/^2026-12-04 03:00Z +daily +ok +1 h 00 min +40,000 +1\.9 GiB +0$/));
    expect(plain).toContainEqual(expect.stringMatching(/^2026-12-06 04:00Z +weekly +NOT RUN +1\.00 s +- +- +0$/));
    expect(plain).toContainEqual(expect.stringMatching(/^2026-12-09 03:00Z +daily +FAILED +10 min 00 s /));
    expect(plain).toContainEqual(expect.stringMatching(/^2026-12-08 03:00Z +daily +WARNINGS +.* 1$/));
  });

  it('says what went wrong under the table', () => {
    expect(plain).toContain('  daily/2026-12-09: databases: usermgmt: mariadb-dump exited 2 (lost connection)');
    expect(plain).toContain('  daily/2026-12-08: warning: mail: 3 names vanished before they were copied');
    expect(plain).toContain('  weekly run at 2026-12-06 04:00Z: exit 75: see the log');
  });

  it('ends with the status lines (forecast included) and a note on SMART', () => {
    const text = plain.join('\n');
    expect(text).toMatch(/^MAILBACKUP \w+ - /m);
    expect(text).toMatch(/^forecast: +80% 2029-03-0\d /m);
    expect(text).toMatch(/^SMART: +not checked/m);
  });

  it('draws the charts only when asked', () => {
    expect(plain.join('\n')).not.toMatch(BLOCK);
    const charted = renderReportText(m, { charts: true });
    expect(charted).toContain('last 30 nights, 2026-11-11 … 2026-12-10 (^ outlier, x failed):');
    expect(charted.filter((l) => BLOCK.test(l))).toHaveLength(2);
  });

  it('mails the text with its charts, and an HTML part', () => {
    const mail = reportMail(m);
    expect(mail.subject).toMatch(/^\[mailbackup\] \w+ report for mail01: 2026-12-03 … 2026-12-10 \(7 days\): 6 ok, 2 failed$/);
    expect(mail.text).toMatch(BLOCK);
    expect(mail.html).toContain('<table');
  });
});
