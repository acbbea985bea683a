/**
 * `drill --from-offsite NAME`: fetch the snapshot from the offsite repository into scratch
 * space (timed, as part of the recovery), so the drill proves the offsite copy restores.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Snapshot } from '../repository/snapshots.js';
import { timed, type DrillPhase } from '../drill/report.js';
import { DEFAULT_WORKDIR } from '../drill/run-drill.js';
import { selectRepositories } from './repos.js';
import { restoreFromOffsite, restoredSnapshot } from './restore.js';

export interface OffsiteDrillSource {
  from: Snapshot;
  priorPhases: DrillPhase[];
  cleanup(): void;
}

export async function fetchForDrill(config: Config, repoName: string, spec: string, workdir: string | undefined, log: Logger, signal?: AbortSignal): Promise<OffsiteDrillSource> {
  const [repo] = selectRepositories(config, repoName);
  const base = workdir ?? config.drill.workdir ?? DEFAULT_WORKDIR;
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(base, `mailbackup-offsite-${repo.name}-`));
  const priorPhases: DrillPhase[] = [];
  try {
    const r = await timed(priorPhases, `restore from offsite ${repo.name}`, () => restoreFromOffsite(config, repo, spec, join(dir, 'snapshot'), log, signal));
    return { from: restoredSnapshot(r.dir, r.snapshot), priorPhases, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
