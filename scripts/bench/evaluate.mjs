// Rows → verdicts against the benchmark targets (docs/benchmarks.md), and the plain-text table printed on the terminal.
// Pure functions: the bench-smoke test and the markdown writer use the same verdicts.

/** Adds ratio and pass (true/false, or null for rows without a numeric target). */
export function evaluateRow(row) {
  const t = row.target ?? {};
  const mb = row.mailbackup.median;
  const base = row.baseline?.median;
  const ratio = base !== undefined && base > 0 ? mb / base : undefined;
  let pass = null;
  if (t.max !== undefined && ratio !== undefined) pass = t.strict ? ratio < t.max : ratio <= t.max;
  else if (t.maxSeconds !== undefined) pass = mb < t.maxSeconds;
  else if (t.maxValue !== undefined) pass = mb < t.maxValue;
  else if (t.maxMB !== undefined) pass = mb <= t.maxMB;
  return { ...row, ratio, pass };
}

const MB = 1e6;

export function formatValue(v, unit) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (unit === 'bytes') return v >= 1e9 ? `${(v / 1e9).toFixed(2)} GB` : `${(v / MB).toFixed(1)} MB`;
  if (unit === 'fraction') return `${(v * 100).toFixed(2)} %`;
  if (unit === 'MB') return `${v.toFixed(0)} MB`;
  return `${v.toFixed(2)} s`;
}

const verdict = (p) => (p === null ? 'info' : p ? 'PASS' : 'FAIL');

/** The table as rows of cells: what, mailbackup, baseline, value, ratio, target, verdict. */
export function tableCells(rows) {
  return rows.map((r) => [
    r.what,
    formatValue(r.mailbackup.median, r.unit),
    r.baseline ? `${r.baseline.name}: ${formatValue(r.baseline.median, r.unit)}` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} ×`,
    r.target?.text ?? '',
    verdict(r.pass),
  ]);
}

export const TABLE_HEADER = ['measure', 'mailbackup', 'baseline', 'ratio', 'target', 'verdict'];

export function textTable(rows) {
  const cells = [TABLE_HEADER, ...tableCells(rows)];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Peak RSS over the whole mailbackup process tree, one row per command kind (decimal MB). */
export function rssRows(rss) {
  return Object.entries(rss).map(([cmd, mib]) => ({
    id: `rss-${cmd}`, what: `peak RSS, mailbackup ${cmd} (process tree)`, unit: 'MB',
    mailbackup: { median: mib * 1.048576, samples: [mib * 1.048576] },
    target: { maxMB: 300, text: '≤ 300 MB (at 1,000,000 files)' },
  }));
}
