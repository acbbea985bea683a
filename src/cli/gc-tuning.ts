/**
 * Imported first by the entry point, before any heap is in use and any worker starts (V8 flags
 * are process-wide): a smaller heap growth factor and young generation keep a long scan's peak
 * memory near what it holds at once. Why and the measurements: docs/architecture.md, "Memory: the V8 heap flags".
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
