/**
 * How progress looks. TTY: one line, rewritten in place (`\r` + erase to end of line), never
 * longer than the terminal is wide (a wrapped line could not be rewritten), cleared before any
 * log line and redrawn after it, so the log scrolls above it. JSON: one NDJSON object a line.
 *
 * Hand-written rather than cli-progress: that library can interleave log lines only through
 * MultiBar.log(), which holds them back until its next redraw; ours prints them at once.
 */
import type { StatusEvent, SummaryEvent } from './progress-status.js';
import { formatBytes, formatClock, formatCount, formatRate } from './units.js';

export interface Renderer {
  show(ev: StatusEvent): void;
  /** the phase ended: ok (its last status and summary) or stopped (both undefined) */
  end(last: StatusEvent | undefined, summary: SummaryEvent | undefined): void;
  print(line: string): void;
}

type Out = { write(s: string): unknown; columns?: number };

const CLEAR = '\r\x1b[K';

/** "mail  12,345/36,000 files  1.2 GiB/3.4 GiB  34%  56 MiB/s  ETA 0:42" */
export function renderStatusLine(ev: StatusEvent, width = 80): string {
  const files = ev.total_files !== undefined ? `${formatCount(ev.files_done)}/${formatCount(ev.total_files)} files` : `${formatCount(ev.files_done)} files`;
  const bytes = ev.total_bytes !== undefined ? `${formatBytes(ev.bytes_done)}/${formatBytes(ev.total_bytes)}` : ev.bytes_done > 0 ? formatBytes(ev.bytes_done) : '';
  const known = ev.total_bytes !== undefined || ev.total_files !== undefined;
  // a phase that counts nothing (a database load, a check) shows only its clock
  const counting = known || ev.files_done > 0 || ev.bytes_done > 0;
  const parts = counting ? [ev.phase, files, bytes] : [ev.phase];
  if (known) parts.push(`${Math.floor(ev.percent_done * 100)}%`);
  if (ev.seconds_elapsed >= 1 && ev.bytes_done > 0) parts.push(formatRate(ev.bytes_done, ev.seconds_elapsed * 1000));
  parts.push(ev.seconds_remaining !== undefined ? `ETA ${formatClock(ev.seconds_remaining)}` : formatClock(ev.seconds_elapsed));
  const line = parts.filter(Boolean).join('  ');
  // one column short of the width: writing the last column makes some terminals wrap
  return line.length < width ? line : line.slice(0, Math.max(0, width - 2)) + '…';
}

export class TtyRenderer implements Renderer {
  private shown = '';

  constructor(private readonly out: Out) {}

  show(ev: StatusEvent): void {
    const line = renderStatusLine(ev, this.out.columns || 80);
    if (line === this.shown) return;
    this.out.write(CLEAR + line);
    this.shown = line;
  }

  end(): void {
    // the caller's summary sentence (a log line) takes the line's place
    if (this.shown) this.out.write(CLEAR);
    this.shown = '';
  }

  print(line: string): void {
    const again = this.shown;
    if (again) this.out.write(CLEAR);
    this.out.write(line + '\n');
    if (again) this.out.write(again);
  }
}

export class JsonRenderer implements Renderer {
  constructor(private readonly out: Out) {}

  show(ev: StatusEvent): void {
    this.out.write(JSON.stringify(ev) + '\n');
  }

  end(last: StatusEvent | undefined, summary: SummaryEvent | undefined): void {
    if (last) this.show(last);
    if (summary) this.out.write(JSON.stringify(summary) + '\n');
  }

  /** log lines too are one JSON object each, so every stderr line of a run parses */
  print(line: string): void {
    this.out.write(JSON.stringify({ message_type: 'log', text: line }) + '\n');
  }
}
