/**
 * SMART health of the backup disk (OR-06/RM-01): the problems status reports from a summary
 * of `smartctl -j -a` (parsed in tools/smartctl-json.ts).
 */
import type { SmartSummary } from '../tools/smartctl-json.js';

export { needsDeviceType, parseSmartctl, type SmartSummary } from '../tools/smartctl-json.js';

/** Above this the disk is running hot enough to shorten its life. */
const TEMPERATURE_WARN_C = 55;

export interface SmartProblem {
  key: string;
  state: 'WARNING' | 'CRITICAL' | 'UNKNOWN';
  message: string;
}

export function smartProblems(s: SmartSummary): SmartProblem[] {
  const name = `${s.device}${s.model ? ` (${s.model})` : ''}`;
  if (s.passed === undefined) {
    const why = s.messages[0] ?? `smartctl exit status ${s.exitStatus ?? '?'}`;
    return [{ key: 'smart.unreadable', state: 'UNKNOWN', message: `cannot read SMART data of ${name}: ${why}; check \`smartctl -a ${s.device}\` by hand (some USB enclosures need another -d type, see smartctl(8))` }];
  }
  const out: SmartProblem[] = [];
  if (!s.passed) {
    out.push({ key: 'smart.health', state: 'CRITICAL', message: `SMART overall health of ${name} FAILED: copy the backups to another disk and replace it` });
  }
  const bad = [
    s.reallocatedSectors ? `${s.reallocatedSectors} reallocated` : '',
    s.pendingSectors ? `${s.pendingSectors} pending` : '',
  ].filter(Boolean);
  if (bad.length > 0) {
    out.push({ key: 'smart.sectors', state: 'WARNING', message: `${name} has ${bad.join(' and ')} sectors: the disk is wearing out; plan its replacement` });
  }
  if (s.temperatureC !== undefined && s.temperatureC >= TEMPERATURE_WARN_C) {
    out.push({ key: 'smart.temperature', state: 'WARNING', message: `${name} is at ${s.temperatureC} °C (warning at ${TEMPERATURE_WARN_C} °C): check its cooling` });
  }
  return out;
}
