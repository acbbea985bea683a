/**
 * The read-back before promotion: the run's new files (the manifest.index lines flagged new),
 * read as the disk returns them (O_DIRECT, verify/direct-read.ts) after the flush, and compared
 * with the hashes the run computed while copying. A quick verification that read them from the
 * page cache would pass even when nothing had reached the disk.
 */
import { join } from 'node:path';
import { readLinesSync } from '../engine/manifest/manifest-index.js';
import { indexLineIsNew, parseIndexLine } from '../repository/manifest-format.js';
import { layout } from '../repository/layout.js';
import { sha256Direct } from '../verify/direct-read.js';
import { isDump, planReadBack, READ_BACK_BUDGET, Reservoir, type Candidate, type ReadBackBudget } from './readback-plan.js';

export interface ReadBackReport {
  /** new files of the run (candidates) and what was read of them */
  newFiles: number;
  files: number;
  bytes: number;
  /** false when the filesystem refused O_DIRECT (then the page cache answered) */
  direct: boolean;
  durationMs: number;
  /** "mail/…: read back from the disk with sha256 …, the run wrote …" */
  problems: string[];
  /** the first I/O error met, e.g. EIO: the disk itself failed */
  ioError?: string;
}

function newFiles(snapDir: string, budget: ReadBackBudget): { sample: Candidate[]; seen: number } {
  const dumps: Candidate[] = [];
  const others = new Reservoir<Candidate>(budget.files);
  for (const line of readLinesSync(layout.manifestIndex(snapDir))) {
    if (line.startsWith('#') || !indexLineIsNew(line)) continue;
    const e = parseIndexLine(line);
    const c = { path: e.path, size: e.size, sha256: e.sha256 };
    if (isDump(c)) dumps.push(c);
    else others.offer(c);
  }
  return { sample: [...dumps, ...others.items], seen: dumps.length + others.seen };
}

export function readBack(snapDir: string, budget: ReadBackBudget = READ_BACK_BUDGET): ReadBackReport {
  const t0 = Date.now();
  const { sample, seen } = newFiles(snapDir, budget);
  const report: ReadBackReport = { newFiles: seen, files: 0, bytes: 0, direct: true, durationMs: 0, problems: [] };
  for (const c of planReadBack(sample, budget)) {
    try {
      const r = sha256Direct(join(snapDir, c.path));
      report.files++;
      report.bytes += r.size;
      report.direct &&= r.direct;
      if (r.sha256 !== c.sha256 || r.size !== c.size) {
        report.problems.push(`${c.path}: the disk returned ${r.size} bytes with sha256 ${r.sha256}, the run wrote ${c.size} bytes with sha256 ${c.sha256}`);
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      report.ioError ??= e.code ?? e.message;
      report.problems.push(`${c.path}: ${e.message}`);
    }
    if (report.problems.length >= 10) break; // a failing disk: enough to say so
  }
  report.durationMs = Date.now() - t0;
  return report;
}
