/**
 * Imported first by the entry point, before any heap is in use (and so before any worker thread
 * starts: V8 flags are process-wide).
 *
 * A backup streams: what it holds at once is a few thousand entries, whatever the size of the
 * store. But V8 lets the heap grow to up to 4 × what survived the last full collection before it
 * collects again, and a scan allocates fast, so at 1,000,000 files the process reached 430 MB
 * of mostly garbage (docs/benchmarks.md, the scale run). A growth factor of 2 keeps the peak
 * nearer the live set; measured on the 100k-message benchmark tree (incremental, 3 runs each): peak
 * RSS 250–280 → 230–250 MB, wall time within the noise (a factor of 1.4 saved more, 200 MB, but cost
 * 0.2 s of collections per run).
 *
 * And young generations of at most 2 × 4 MB: the flag applies to every isolate made after it,
 * the fs and hash workers' included (five isolates in a backup, each free to grow its young
 * generation to 2 × 16 MB). Measured on the 1,000,000-file benchmark tree (incremental, peak RSS
 * of the process tree as the benchmark polls it): 315 → 279–285 MB, the time unchanged
 * (16.0 → 14.9–15.7 s).
 */
import { setFlagsFromString } from 'node:v8';

/**
 * V8 prints "unrecognized flag" on stderr (mail from cron on every run) for a flag it lacks: the
 * flag is in every V8 up to 13 (Node 20–24); a newer one runs untuned until this is checked
 * (test/unit/gc-tuning.test.ts asks the running node).
 */
export const HEAP_FLAG_UP_TO_V8 = 13;

/** the flags, each in every V8 up to HEAP_FLAG_UP_TO_V8 */
export const HEAP_FLAGS = ['--heap-growing-percent=100', '--max-semi-space-size=4'];

if (Number(process.versions.v8.split('.')[0]) <= HEAP_FLAG_UP_TO_V8) for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
