/** `backup --dry-run`: what a run would do, from the config and the destination's metadata only. */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { layout, snapshotId, type SnapshotRef } from '../repository/layout.js';
import { listSnapshots } from '../repository/snapshots.js';
import { planComponents } from './components.js';
import { checkMarker, missingSources } from './preflight.js';
import { latestTarget } from './promote.js';

export interface BackupPlan {
  snapshot: string;
  target: string;
  destination: { ok: boolean; problem?: string };
  basedOn?: string;
  replaces: boolean;
  /** `all`: listed by the server when the run starts */
  databases: string[] | 'all';
  components: { name: string; source: string; missing: string[]; exclude: string[] }[];
  lines: string[];
}

export function describeBackupPlan(config: Config, ref: SnapshotRef): BackupPlan {
  const root = config.destination.root;
  let destination: BackupPlan['destination'] = { ok: true };
  try {
    checkMarker(config);
  } catch (err) {
    destination = { ok: false, problem: errorMessage(err) };
  }
  const snaps = destination.ok ? listSnapshots(root) : [];
  const prev = latestTarget(snaps);
  const planned = planComponents(config);
  const missing = missingSources(planned);
  const components = planned.map((c) => ({
    name: c.name,
    source: 'dir' in c.source ? c.source.dir : `${c.source.base}: ${c.source.entries.join(', ')}`,
    missing: missing.get(c.name) ?? [],
    exclude: c.exclude ?? [],
  }));
  const target = layout.snapshot(root, ref);
  const plan: Omit<BackupPlan, 'lines'> = {
    snapshot: snapshotId(ref),
    target,
    destination,
    basedOn: prev?.id,
    replaces: existsSync(target),
    databases: config.database.enabled ? config.database.databases : [],
    components,
  };
  const lines = [
    `dry run: would make ${plan.snapshot} in ${target}${plan.replaces ? ' (replacing the existing one if this run succeeds)' : ''}`,
    destination.ok ? `  destination ok: ${root}` : `  destination NOT usable: ${destination.problem}`,
    `  hardlink clone of: ${prev ? prev.id : 'nothing (first full backup)'}`,
    `  databases (${config.database.runtime} ${config.database.container}): ${!config.database.enabled ? 'none (database.enabled: false)' : plan.databases === 'all' ? 'all the server lists, except its own schemas; then their accounts and grants' : plan.databases.join(', ') || 'none: the run warns'}`,
    ...components.map(
      (c) => `  ${c.name.padEnd(7)} ← ${c.source}${c.exclude.length ? ` (excluding ${c.exclude.join(', ')})` : ''}${c.missing.length ? `  MISSING: ${c.missing.join(', ')}` : ''}`,
    ),
    `  then: manifest, quick verification, promotion, latest, rotation (daily ${config.retention.daily}, weekly ${config.retention.weekly})`,
  ];
  return { ...plan, lines };
}
