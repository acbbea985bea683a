/**
 * Verification (docs/commands.md, verify, FR-06). "Verified" for rotation and status means backup.json
 * holds `verification` with ok=true at any level: `quick` (the backup's own check before
 * promotion), `default` or `full` (this module). A later failed verification replaces it.
 */
import type { Verification } from '../repository/metadata.js';
import type { VerifyReport } from './verify-snapshot.js';

export { createVerifyPool, type VerifyPool } from './batch-pool.js';
export { verifySnapshot, type Damage, type VerifyLevel, type VerifyOptions, type VerifyReport } from './verify-snapshot.js';

/** At most this many damaged paths are copied into backup.json; the run log has them all. */
const RECORDED_DAMAGE = 50;

export function toVerification(r: VerifyReport, at = new Date()): Verification {
  const v: Verification = { at: at.toISOString(), level: r.level, ok: r.ok };
  if (r.damaged.length > 0) v.damaged = r.damaged.slice(0, RECORDED_DAMAGE).map((d) => `${d.path}: ${d.problem}`);
  return v;
}
