/**
 * Pure: the HTML part of the report mail. The charts are bars made of table cells with inline
 * styles (mail clients drop scripts, SVG and style sheets, but show tables), outliers in red,
 * failed nights grey; below them the same text as the plain part, for reading and quoting.
 */
import { formatValue, type Chart } from './charts.js';
import type { ReportModel } from './model.js';
import { renderReportText, reportTitle } from './render-text.js';

const BAR_PX = 48;
const COLORS = { normal: '#4a7ab5', outlier: '#d9342b', failed: '#9a9a9a' } as const;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function chartHtml(c: Chart): string {
  const max = Math.max(0, ...c.columns.map((x) => x.value ?? 0));
  const cells = c.columns.map((x) => {
    const h = x.value === undefined || max <= 0 ? 0 : Math.max(1, Math.round((x.value / max) * BAR_PX));
    const color = x.outlier ? COLORS.outlier : x.failed ? COLORS.failed : COLORS.normal;
    const title = `${x.date}: ${x.value === undefined ? 'no run' : formatValue(c.unit, x.value)}${x.failed ? ' (failed)' : ''}${x.outlier ? ' (outlier)' : ''}`;
    const bar = h ? `<div style="height:${h}px;width:8px;background:${color}"></div>` : '';
    return `<td title="${escapeHtml(title)}" style="vertical-align:bottom;padding:0 1px;height:${BAR_PX}px">${bar}</td>`;
  });
  const summary = c.max ? `median ${formatValue(c.unit, c.median)}, max ${formatValue(c.unit, c.max.value)} on ${c.max.date}` : 'no runs';
  return [
    `<p style="margin:12px 0 2px"><b>${escapeHtml(c.label)}</b> — ${escapeHtml(summary)}</p>`,
    `<table cellspacing="0" cellpadding="0" style="border-collapse:collapse;border-bottom:1px solid #ccc"><tr>${cells.join('')}</tr></table>`,
  ].join('\n');
}

export function renderReportHtml(m: ReportModel): string {
  const cols = m.charts[0]?.columns ?? [];
  const range = cols.length ? `${cols[0].date} … ${cols[cols.length - 1].date}` : '';
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(reportTitle(m))}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="font-size:16px">${escapeHtml(reportTitle(m))}</h2>`,
    `<p>Last ${cols.length} nights, ${escapeHtml(range)}: <span style="color:${COLORS.outlier}">red</span> an outlier night, <span style="color:${COLORS.failed}">grey</span> a failed one.</p>`,
    ...m.charts.map(chartHtml),
    `<pre style="font-size:12px">${escapeHtml(renderReportText(m, { charts: false }).join('\n'))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
