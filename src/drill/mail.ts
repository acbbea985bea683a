/**
 * The drill report goes to the admins whatever the outcome: a quarterly drill is evidence
 * (OR-05) and a passing one is as worth keeping as a failing one. The body is the readable
 * report itself. Never throws: a drill that ran stays ran when the mail server is down.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { channels, deliver } from '../notify/transport.js';
import { renderMarkdown, failedChecks, warnChecks, type DrillReport } from './report.js';

function drillSubject(r: DrillReport): string {
  const failed = failedChecks(r.checks);
  const warned = warnChecks(r.checks);
  const outcome = failed.length ? `FAILED: ${failed.map((c) => c.name).join(', ')}` : warned.length ? `passed with ${warned.length} warning(s)` : 'passed';
  return `[mailbackup] drill on ${r.host} ${outcome} (${r.snapshot})`;
}

export async function mailDrillReport(config: Config, r: DrillReport, reportFile: string, log: Logger): Promise<boolean> {
  try {
    const list = channels(config);
    if (list.length === 0) {
      log.warn('no notify.email configured: the drill report is only on the backup disk');
      return false;
    }
    const text = `${renderMarkdown(r)}\nThe same report is on the backup disk: ${reportFile}\n`;
    const sent = await deliver(list, { subject: drillSubject(r), text }, log, 'drill report');
    return sent.deliveredBy !== undefined;
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'drill report mail failed');
    return false;
  }
}
