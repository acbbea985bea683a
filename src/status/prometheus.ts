/**
 * The status report as a node_exporter textfile (Prometheus exposition format 0.0.4), written
 * atomically: the collector never reads a half-written file. Absent facts are left out rather
 * than written as 0, so "never" is not mistaken for "1970".
 */
import { writeFileAtomic } from '../repository/atomic.js';
import { EXIT_FOR, type StatusReport } from './types.js';
import { offsiteMetricFamilies } from './offsite.js';

type Sample = { labels?: Record<string, string>; value: number };

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);
const one = (value: number | undefined): Sample[] => (value === undefined || !Number.isFinite(value) ? [] : [{ value }]);
const bool = (b: boolean | undefined): Sample[] => (b === undefined ? [] : [{ value: b ? 1 : 0 }]);

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function renderMetrics(r: StatusReport): string {
  const s = r.snapshots;
  const families: Family[] = [
    { name: 'mailbackup_status', help: 'Overall status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (Nagios codes).', samples: [{ value: EXIT_FOR[r.state] }] },
    { name: 'mailbackup_status_timestamp_seconds', help: 'When this status was computed.', samples: one(seconds(r.checkedAt)) },
    { name: 'mailbackup_problems', help: 'Problems found, by state.', samples: (['WARNING', 'CRITICAL', 'UNKNOWN'] as const).map((st) => ({ labels: { state: st }, value: r.problems.filter((p) => p.state === st).length })) },
    { name: 'mailbackup_last_success_timestamp_seconds', help: 'Finish time of the newest ok snapshot.', samples: one(seconds(r.newestOk?.finishedAt)) },
    {
      name: 'mailbackup_snapshots',
      help: 'Snapshots on the backup disk by kind and status.',
      samples: (['daily', 'weekly'] as const).flatMap((kind) => (['ok', 'failed'] as const).map((status) => ({ labels: { kind, status }, value: s[kind][status] }))),
    },
    { name: 'mailbackup_retention_snapshots', help: 'Configured retention by kind.', samples: (['daily', 'weekly'] as const).map((kind) => ({ labels: { kind }, value: s.retention[kind] })) },
    { name: 'mailbackup_last_run_exit_code', help: 'Exit code of the last backup run.', samples: one(r.lastRun?.exitCode) },
    { name: 'mailbackup_last_run_timestamp_seconds', help: 'Finish time of the last backup run.', samples: one(seconds(r.lastRun?.finishedAt)) },
    { name: 'mailbackup_disk_used_ratio', help: 'Used fraction of the backup disk, as df computes it.', samples: one(r.disk?.usedRatio) },
    { name: 'mailbackup_disk_size_bytes', help: 'Size of the backup filesystem.', samples: one(r.disk?.totalBytes) },
    { name: 'mailbackup_disk_free_bytes', help: 'Bytes available on the backup filesystem.', samples: one(r.disk?.freeBytes) },
    { name: 'mailbackup_disk_growth_bytes_per_day', help: 'Bytes added per day over the last 14 days.', samples: one(r.disk?.growthBytesPerDay) },
    { name: 'mailbackup_disk_days_until_full', help: 'Days until the backup disk is full at the recent growth.', samples: one(r.disk?.daysUntilFull) },
    { name: 'mailbackup_disk_forecast_days_until_warning', help: 'Days until the backup disk reaches notify.diskUsageWarnPercent (forecast, net of rotation; 0 when already there).', samples: one(r.forecast?.status === 'ok' ? r.forecast.warning.days : undefined) },
    { name: 'mailbackup_disk_forecast_days_until_full', help: 'Days until the backup disk is full (forecast, net of rotation).', samples: one(r.forecast?.status === 'ok' ? r.forecast.full.days : undefined) },
    { name: 'mailbackup_lock_held', help: '1 while a mailbackup run holds the destination lock.', samples: [{ value: r.lock && !r.lock.stale ? 1 : 0 }] },
    { name: 'mailbackup_last_verification_ok', help: '1 when the newest ok snapshot passed its last verification.', samples: bool(r.verification.newest?.ok) },
    { name: 'mailbackup_last_verification_timestamp_seconds', help: 'When the newest ok snapshot was last verified.', samples: one(seconds(r.verification.newest?.at)) },
    { name: 'mailbackup_last_full_verification_timestamp_seconds', help: 'When any snapshot was last verified with --full.', samples: one(seconds(r.verification.lastFull?.at)) },
    { name: 'mailbackup_rolling_verify_oldest_timestamp_seconds', help: 'When the slice of the data re-read longest ago by verify --rolling was read.', samples: one(seconds(r.verification.rolling?.oldestAt)) },
    { name: 'mailbackup_rolling_verify_days', help: 'DAYS of verify --rolling: all data is re-read within this many days.', samples: one(r.verification.rolling?.days) },
    { name: 'mailbackup_rolling_verify_stale_slices', help: 'Slices of the data not re-read within DAYS days.', samples: one(r.verification.rolling?.stale) },
    { name: 'mailbackup_rolling_verify_damaged_slices', help: 'Slices whose last rolling re-read found damage.', samples: one(r.verification.rolling?.damagedSlices) },
    { name: 'mailbackup_last_drill_timestamp_seconds', help: 'Finish time of the newest restore drill.', samples: one(seconds(r.drill?.finishedAt)) },
    { name: 'mailbackup_last_drill_ok', help: '1 when the newest restore drill passed.', samples: bool(r.drill?.ok) },
    { name: 'mailbackup_smart_healthy', help: 'SMART overall health of the backup disk passed.', samples: bool(r.smart?.passed) },
    { name: 'mailbackup_smart_reallocated_sectors', help: 'Reallocated sectors of the backup disk.', samples: one(r.smart?.reallocatedSectors) },
    { name: 'mailbackup_smart_pending_sectors', help: 'Pending sectors of the backup disk.', samples: one(r.smart?.pendingSectors) },
    { name: 'mailbackup_smart_temperature_celsius', help: 'Temperature of the backup disk.', samples: one(r.smart?.temperatureC) },
    { name: 'mailbackup_smart_power_on_hours', help: 'Power-on hours of the backup disk.', samples: one(r.smart?.powerOnHours) },
    ...offsiteMetricFamilies(r.offsite),
  ];
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
    for (const smp of f.samples) {
      const labels = smp.labels ? `{${Object.entries(smp.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${f.name}${labels} ${smp.value}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** World-readable (0644) so node_exporter, which usually runs as its own user, can read it. */
export function writeMetrics(file: string, r: StatusReport): void {
  writeFileAtomic(file, renderMetrics(r), 0o644);
}
