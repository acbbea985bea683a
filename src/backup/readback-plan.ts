/**
 * Which of a run's new files are read back from the disk before the snapshot is promoted. All
 * of them when they fit the budget (a normal day: a few thousand messages and the dumps); on a
 * first full copy of hundreds of GB a uniform random sample, since reading everything back would
 * double the disk time against NFR-01's two hours. The rolling verify reads the rest over its
 * cycle. The dumps come first: they are new every night and cannot be taken again later.
 */
export interface ReadBackBudget {
  files: number;
  bytes: number;
}

/** At 100 MB/s (a USB hard disk) about 3 s; a day's new mail usually fits whole. */
export const READ_BACK_BUDGET: ReadBackBudget = { files: 4000, bytes: 256 * 1024 * 1024 };

export interface Candidate {
  path: string;
  size: number;
  sha256: string;
}

/** Uniform sample of at most `keep` items from a stream (Algorithm R). */
export class Reservoir<T> {
  readonly items: T[] = [];
  seen = 0;
  constructor(private readonly keep: number, private readonly random: () => number = Math.random) {}

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.keep) this.items.push(item);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.keep) this.items[j] = item;
    }
  }
}

/** A database dump (mysql/…): new every night, and the one thing that cannot be taken again later. */
export const isDump = (c: Candidate) => c.path.startsWith('mysql/');

/**
 * The files to read: dumps first, then the sampled others in random order, until either budget
 * is spent. A file larger than what is left of the byte budget is skipped, not cut.
 */
export function planReadBack(candidates: Candidate[], budget: ReadBackBudget, random: () => number = Math.random): Candidate[] {
  const others = candidates.filter((c) => !isDump(c));
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [others[i], others[j]] = [others[j], others[i]];
  }
  const out: Candidate[] = [];
  let bytes = 0;
  for (const c of [...candidates.filter(isDump), ...others]) {
    if (out.length >= budget.files) break;
    if (bytes + c.size > budget.bytes && out.length > 0) continue;
    out.push(c);
    bytes += c.size;
  }
  return out;
}
