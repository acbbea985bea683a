/** The HTML part of the report mail: bars as table cells, the outlier red, the failed night grey, the text below. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReportHtml } from '../../../src/report/render-html.js';
import { sampleModel } from '../../helpers/report-model.js';

describe('renderReportHtml', () => {
  const m = sampleModel();
  const html = renderReportHtml(m);
  const cells = (chart: number) => html.split('<table')[chart + 1].split('</table>')[0].match(/<td [^>]*>.*?<\/td>/g) ?? [];

  it('draws 30 bars per chart, scaled to the largest night (48 px)', () => {
    expect(cells(0)).toHaveLength(30);
    expect(cells(1)).toHaveLength(30);
    expect(cells(1)[26]).toContain('title="2026-12-07: 37 GiB (outlier)"');
    expect(cells(1)[26]).toContain('height:48px;width:8px;background:#d9342b');
    expect(cells(1)[25]).toMatch(/height:2px;width:8px;background:#4a7ab5/);
  });

  it('marks the hour-long night red in duration and the failed night grey', () => {
    expect(cells(0)[23]).toContain('background:#d9342b');
    expect(cells(0)[28]).toContain('title="2026-12-09: 10 min 00 s (failed)"');
    expect(cells(0)[28]).toContain('background:#9a9a9a');
  });

  it('keeps the text, escaped, below the charts', () => {
    expect(html).toMatch(/<pre[^>]*>mailbackup report for mail01: 2026-12-03 … 2026-12-10 \(7 days\)\n/);
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
