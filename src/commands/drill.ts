/**
 * `drill`: restore a snapshot to scratch, check and time it, write drills/<date>.json and .md,
 * mail the report (always: it is the quarterly evidence). Exit 2 names every failed check; 1 when only warnings.
 */
import type { Context } from '../cli/context.js';
import { runDrill } from '../drill/run-drill.js';
import { failedChecks, warnChecks, writeReport } from '../drill/report.js';
import { ExitCode } from '../errors.js';
import { mailDrillReport } from '../drill/mail.js';

interface Opts {
  snapshot?: string;
  workdir?: string;
  keep?: boolean;
  fromOffsite?: string;
}

export default async function drill(ctx: Context, opts: Opts): Promise<number> {
  const config = ctx.config();
  const { log } = ctx.runLog();
  const source = opts.fromOffsite
    ? await (await import('../offsite/drill-source.js')).fetchForDrill(config, opts.fromOffsite, opts.snapshot ?? 'latest', opts.workdir, log, ctx.signal)
    : undefined;
  let report;
  try {
    report = await runDrill(config, { ...opts, from: source?.from, priorPhases: source?.priorPhases, progress: ctx.progress() }, log, ctx.signal);
  } finally {
    if (!opts.keep) source?.cleanup();
  }
  const files = writeReport(config.destination.root, report);
  const failed = failedChecks(report.checks);
  const warned = warnChecks(report.checks);
  for (const c of failed) log.error({ check: c.name }, `drill check failed: ${c.name}: ${c.detail}`);
  for (const c of warned) log.warn({ check: c.name }, `drill warning: ${c.name}: ${c.detail}`);
  const code = failed.length ? ExitCode.FAILED : warned.length ? ExitCode.WARNING : ExitCode.OK;
  log.info({ ok: report.ok, report: files.json, rto: report.rto }, `drill finished: ${failed.length ? `${failed.length} check(s) failed` : 'ok'}; report in ${files.md}`);

  await mailDrillReport(config, report, files.md, log);

  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  ctx.result({ ...report, reportFiles: files, exitCode: code }, [
    `drill of ${report.snapshot}: ${report.ok ? 'PASSED' : `FAILED (${failed.map((c) => c.name).join(', ')})`}`,
    ...report.phases.map((p) => `  ${p.name.padEnd(20)} ${secs(p.durationMs).padStart(9)}${p.ok ? '' : '  failed'}`),
    ...report.checks.map((c) => `  [${c.status === 'ok' ? 'ok' : c.status === 'warn' ? 'warn' : 'FAIL'}] ${c.name}: ${c.detail}`),
    `report: ${files.md}`,
  ]);
  return code;
}
