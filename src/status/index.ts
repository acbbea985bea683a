/**
 * `status`: builds the report from metadata (collect.ts), judges it (evaluate.ts), and
 * optionally asks smartctl about the disk. Exported for the status command and notifications.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { deviceForPath, readSmart } from '../tools/smartctl.js';
import { collectFacts } from './collect.js';
import { evaluateStatus } from './evaluate.js';
import type { SmartSummary } from './smart.js';
import type { StatusReport } from './types.js';

export type { StatusProblem, StatusReport, StatusState, DrillRecord } from './types.js';
export { renderStatus } from './render.js';
export { renderMetrics, writeMetrics } from './prometheus.js';

export interface StatusOptions {
  smart?: boolean;
  smartDevice?: string;
  now?: Date;
}

export async function buildStatus(config: Config, opts: StatusOptions = {}): Promise<StatusReport> {
  const facts = collectFacts(config, opts.now);
  let smart: SmartSummary | undefined;
  let smartError: string | undefined;
  if (opts.smart && !facts.destinationError) {
    try {
      smart = await readSmart(opts.smartDevice ?? (await deviceForPath(config.destination.root)));
    } catch (err) {
      smartError = `SMART check failed: ${errorMessage(err)}`;
    }
  }
  return evaluateStatus(facts, config, { smart, smartError });
}
