/**
 * Live progress of long work (backup components, verify, restore, drill, rotation, offsite push),
 * for a person at a terminal or, with `--progress=json`, for a wrapper reading NDJSON on stderr.
 * Features see only `Progress`/`Phase`; whether anything is shown is decided once, here
 * (`progressMode`), and how it looks lives in progress-render.ts.
 *
 * Usage from a feature: `const p = progress.phase('mail', { files, bytes }); p.add(1, size); …
 * p.done();` then log the phase's summary sentence. A phase never started costs nothing.
 */
import { JsonRenderer, TtyRenderer, type Renderer } from './progress-render.js';
import { statusOf, summaryOf, type PhaseState, type ProgressTotals } from './progress-status.js';

export interface Phase {
  /** work done since the last call: files finished and their bytes */
  add(files: number, bytes?: number): void;
  /** totals found later (the engine knows them once its scan is done) */
  setTotals(totals: ProgressTotals): void;
  /**
   * The phase ended: its line goes (the caller logs the summary sentence next). `ok: false`
   * (it failed, will be retried) ends it without the 100 % event.
   */
  done(ok?: boolean): void;
}

export interface Progress {
  phase(name: string, totals?: ProgressTotals): Phase;
  /** print a whole line (a log line) without breaking the progress line */
  print(line: string): void;
  /** end every open phase without a summary (failure, interrupt) and stop redrawing */
  close(): void;
  readonly mode: ProgressMode;
}

export type ProgressMode = 'tty' | 'json' | 'none';
export type ProgressRequest = 'auto' | 'json' | 'none';

/**
 * The one decision: a live line only for a person (stderr is a terminal, not --quiet, not a
 * dumb terminal); NDJSON only when asked for, and then even with --quiet (a wrapper asked).
 */
export function progressMode(o: { request?: ProgressRequest; quiet?: boolean; isTTY?: boolean; term?: string }): ProgressMode {
  if (o.request === 'json') return 'json';
  if (o.request === 'none' || o.quiet || !o.isTTY || o.term === 'dumb') return 'none';
  return 'tty';
}

class LiveProgress implements Progress {
  private readonly open: PhaseState[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastDraw = 0;

  constructor(
    readonly mode: ProgressMode,
    private readonly renderer: Renderer,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  phase(name: string, totals: ProgressTotals = {}): Phase {
    const state: PhaseState = { name, startedAt: this.now(), files: 0, bytes: 0, totals: { ...totals }, finished: false };
    if (this.mode === 'none') return { add: () => undefined, setTotals: () => undefined, done: () => undefined };
    this.open.push(state);
    this.renderer.show(statusOf(state, state.startedAt));
    this.lastDraw = state.startedAt;
    this.startTimer();
    return {
      add: (files, bytes = 0) => {
        state.files += files;
        state.bytes += bytes;
        this.dirty = true;
        // also from here: a synchronous loop (the manifest walk) starves the timer
        this.tick();
      },
      setTotals: (t) => {
        state.totals = { ...state.totals, ...t };
        this.dirty = true;
      },
      done: (ok = true) => this.finish(state, ok),
    };
  }

  print(line: string): void {
    this.renderer.print(line);
  }

  close(): void {
    for (const p of [...this.open]) this.finish(p, false);
    this.stopTimer();
  }

  private finish(p: PhaseState, ok: boolean): void {
    const i = this.open.indexOf(p);
    if (i < 0) return;
    this.open.splice(i, 1);
    const now = this.now();
    if (ok) {
      p.finished = true;
      this.renderer.end(statusOf(p, now), summaryOf(p, now));
    } else this.renderer.end(undefined, undefined);
    const top = this.open.at(-1);
    if (top) this.renderer.show(statusOf(top, now));
    else this.stopTimer();
  }

  /** the newest open phase is the one shown; redrawn on a clock so elapsed time and rate move */
  private tick(): void {
    const top = this.open.at(-1);
    const now = this.now();
    // one gate for the timer and for add(): never two draws closer than the interval
    if (!top || now - this.lastDraw < this.intervalMs) return;
    if (this.dirty || this.mode === 'tty') this.renderer.show(statusOf(top, now));
    this.dirty = false;
    this.lastDraw = now;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref(); // progress never keeps the process alive
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A TTY line is redrawn 4 times a second at most; a wrapper gets one status line a second. */
const TTY_INTERVAL_MS = 250;
const JSON_INTERVAL_MS = 1000;

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream | { write(s: string): unknown; columns?: number }): Progress {
  if (mode === 'tty') return new LiveProgress(mode, new TtyRenderer(stream), TTY_INTERVAL_MS);
  if (mode === 'json') return new LiveProgress(mode, new JsonRenderer(stream), JSON_INTERVAL_MS);
  return new LiveProgress('none', { show: () => undefined, end: () => undefined, print: (l) => stream.write(l + '\n') }, 0);
}

/** Runs `work` as one phase: done on success, ended without a summary when it throws. */
export async function inPhase<T>(progress: Progress, name: string, totals: ProgressTotals | undefined, work: (p: Phase) => Promise<T>): Promise<T> {
  const phase = progress.phase(name, totals);
  try {
    const r = await work(phase);
    phase.done();
    return r;
  } catch (err) {
    phase.done(false);
    throw err;
  }
}

/** For callers that were given no Progress (tests, library use). */
export const NO_PROGRESS: Progress = createProgress('none', { write: () => true });
