/**
 * The figures of a progress line, as data: a phase's state, and the status and summary events
 * computed from it (restic's `--json` shapes, so a wrapper reads mailbackup and restic alike).
 * Pure, so the percentages and the ETA are unit-tested without a clock.
 */

export interface ProgressTotals {
  files?: number;
  bytes?: number;
}

/** restic's `--json` status line, plus the phase it belongs to */
export interface StatusEvent {
  message_type: 'status';
  phase: string;
  percent_done: number;
  files_done: number;
  total_files?: number;
  bytes_done: number;
  total_bytes?: number;
  seconds_elapsed: number;
  seconds_remaining?: number;
}

/** written once when a phase ends (after its 100 % status line) */
export interface SummaryEvent {
  message_type: 'summary';
  phase: string;
  files_done: number;
  bytes_done: number;
  seconds_elapsed: number;
}

export interface PhaseState {
  name: string;
  startedAt: number;
  files: number;
  bytes: number;
  totals: ProgressTotals;
  finished: boolean;
}

/** The status of a phase at `now`: pure, so the figures are unit-tested without a clock. */
export function statusOf(p: PhaseState, now: number): StatusEvent {
  const elapsedMs = Math.max(0, now - p.startedAt);
  const { files: totalFiles, bytes: totalBytes } = p.totals;
  let fraction: number | undefined;
  if (p.finished) fraction = 1;
  else if (totalBytes && totalBytes > 0) fraction = p.bytes / totalBytes;
  else if (totalFiles && totalFiles > 0) fraction = p.files / totalFiles;
  // a total from the previous snapshot or a count may be exceeded: never claim 100 % before done
  if (fraction !== undefined && !p.finished) fraction = Math.min(fraction, 0.999);
  const ev: StatusEvent = {
    message_type: 'status',
    phase: p.name,
    percent_done: fraction ?? 0,
    files_done: p.files,
    total_files: totalFiles,
    bytes_done: p.bytes,
    total_bytes: totalBytes,
    seconds_elapsed: Math.round(elapsedMs / 100) / 10,
  };
  if (p.finished) ev.seconds_remaining = 0;
  else if (fraction && fraction > 0.001 && elapsedMs >= 1000) {
    ev.seconds_remaining = Math.round((elapsedMs / 1000) * ((1 - fraction) / fraction));
  }
  return ev;
}

export function summaryOf(p: PhaseState, now: number): SummaryEvent {
  return { message_type: 'summary', phase: p.name, files_done: p.files, bytes_done: p.bytes, seconds_elapsed: statusOf(p, now).seconds_elapsed };
}
