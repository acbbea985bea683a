/**
 * The file components of a run through the snapshot engine, one after the other: a missing
 * source or a failing component is recorded and the next one runs. Each component's last rsync
 * (directories' attributes, symlinks) is handed back to run beside the manifest.
 */
import type { Logger } from 'pino';
import { syncComponent, type ComponentPart, type FsPool } from '../engine/index.js';
import { InterruptedError, TransientError, errorMessage } from '../errors.js';
import { inPhase } from '../log/progress.js';
import { snapshotId } from '../repository/layout.js';
import { planComponents, type PlannedComponent } from './components.js';
import type { BackgroundFlush } from './durable.js';
import { missingSources } from './preflight.js';
import { describeComponentSync } from './report.js';
import { withRetry } from './retry.js';
import { recordFailure, type RunState } from './run-state.js';

export interface AttributeFinisher {
  name: string;
  log: Logger;
  run: () => Promise<void>;
}

export interface SyncedComponents {
  parts: ComponentPart[];
  finishers: AttributeFinisher[];
}

/** The engine's scratch directory (off the backup disk) and its fs worker pool, shared by every component. */
export interface EngineScratch {
  scratchDir: string;
  fsPool: FsPool;
}

/** `early` flushes what each component wrote while the next one copies (durable.ts). */
export async function syncComponents(run: RunState, engine: EngineScratch, early: BackgroundFlush): Promise<SyncedComponents> {
  const out: SyncedComponents = { parts: [], finishers: [] };
  const planned = planComponents(run.config);
  const missing = missingSources(planned);
  for (const c of planned) {
    early.check(snapshotId(run.ref)); // a device that failed writeback: stop before copying more
    const clog = run.log.child({ step: c.name });
    const gone = missing.get(c.name);
    if (gone) {
      const error = `source path ${gone.join(', ')} does not exist: check source.${c.name === 'ssl' ? 'certbot' : c.name} in the config`;
      run.components[c.name] = { status: 'failed', files: 0, bytes: 0, durationMs: 0, error };
      run.failures.push({ step: c.name, error });
      clog.error({ missing: gone }, error);
      continue;
    }
    await syncOne(run, c, { ...engine, clog, early, out });
  }
  return out;
}

interface SyncContext extends EngineScratch {
  clog: Logger;
  early: BackgroundFlush;
  out: SyncedComponents;
}

async function syncOne(run: RunState, c: PlannedComponent, { scratchDir, fsPool, clog, early, out }: SyncContext): Promise<void> {
  const { config, partial, prev, pool, signal, progress } = run;
  try {
    const r = await withRetry(c.name, config.retry, clog, () =>
      inPhase(progress, c.name, undefined, (phase) =>
        // the scan's totals reach the line before the copy starts (percent and ETA)
        syncComponent(c, { partialDir: partial, prevDir: prev?.dir, scratchDir, pool, fsPool, log: clog, signal, progress: phase, deferAttributes: true }),
      ), signal);
    out.parts.push(r.part);
    early.start();
    if (r.finishAttributes) out.finishers.push({ name: c.name, log: clog, run: r.finishAttributes });
    run.components[c.name] = {
      status: 'ok', files: r.files, bytes: r.bytes, durationMs: r.durationMs,
      addedFiles: r.addedFiles, addedBytes: r.addedBytes,
      ...(r.vanished ? { vanished: r.vanished } : {}), ...(r.recovered ? { recovered: r.recovered } : {}),
    };
    run.warnings.push(...r.warnings.map((w) => `${c.name}: ${w}`));
    clog.info({ files: r.files, bytes: r.bytes, addedFiles: r.addedFiles, addedBytes: r.addedBytes, linkedRenames: r.linkedRenames, durationMs: r.durationMs }, describeComponentSync(c.name, r));
  } catch (err) {
    if (signal?.aborted) throw new InterruptedError();
    const error = errorMessage(err);
    run.components[c.name] = { status: 'failed', files: 0, bytes: 0, durationMs: 0, error };
    recordFailure(run, c.name, err, error, clog, { transient: err instanceof TransientError });
  }
}

/**
 * Each component's last rsync runs beside the manifest, which reads none of what it sets: mostly
 * rsync's start-up, paid once instead of per component. A failure marks its component failed.
 */
export function finishAttributes(run: RunState, finishers: AttributeFinisher[]): Promise<void[]> {
  return Promise.all(finishers.map(async (f) => {
    try {
      await withRetry(f.name, run.config.retry, f.log, f.run, run.signal);
    } catch (err) {
      if (run.signal?.aborted) return;
      const error = `directory attributes and symlinks: ${errorMessage(err)}`;
      run.components[f.name] = { ...run.components[f.name], status: 'failed', error };
      recordFailure(run, f.name, err, error, f.log);
    }
  }));
}
