/**
 * The main thread's half of a leaf directory scanned and linked whole (dir-link.ts): when the
 * scan reaches it, the planner's lines for it go to an fs worker with the directory's paths;
 * when the job settles (in scan order, link-queue.ts), what the worker did not simply link
 * becomes ScanEntries and LinkPlanner decisions like those of any other directory.
 */
import { escapeField } from '../../repository/manifest-format.js';
import { LazyIndexEntry } from '../manifest/lazy-index-entry.js';
import { BACK_STRIDE, DIR_LINK, type DirLinkResult } from './dir-link.js';
import type { Decision, LinkPlanner } from './link-plan.js';
import type { LinkQueue } from './link-queue.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import { scanEntryOf } from '../scan/scan-entry.js';
import { ownString } from '../../util/own-string.js';

export interface LeafEffects {
  /** what the listing held: `entries` names, `files` regular files of `bytes` in all */
  listed(dir: string, counts: { entries: number; files: number; bytes: number; vanished: number }): void;
  /** index lines (each with its newline) of `files` linked files of `bytes` in all */
  linked(text: string, files: number, bytes: number): void;
  /** a name the worker did not link: LinkPlanner's decision for it (copy, defer or special) */
  decided(d: Decision): void;
  /** a link that failed or gave another inode: the file is taken from the source */
  failed(e: ScanEntry): void;
}

export interface LeafContext {
  component: string;
  srcRoot: string;
  prevComponent: string;
  dest: string;
  planner: LinkPlanner;
  links: Pick<LinkQueue<unknown>, 'addDir'>;
  effects: LeafEffects;
}

export class LeafDirs {
  private readonly strip: number;

  constructor(private readonly ctx: LeafContext) {
    this.strip = ctx.component.length + 1;
  }

  /** the leaf directory `dir` (component-relative), in scan order; a promise when the caller must wait */
  add(dir: string): Promise<void> | undefined {
    const { component, planner } = this.ctx;
    const pathPrefix = `${component}/${dir}/`;
    const fieldPrefix = escapeField(pathPrefix);
    const block = planner.takeBlock(dir, fieldPrefix);
    const job = {
      srcBase: `${this.ctx.srcRoot}/${dir}/`, fromBase: `${this.ctx.prevComponent}/${dir}/`, toBase: `${this.ctx.dest}/${dir}/`,
      prev: block.text, pathPrefix, escapedPrefixLength: fieldPrefix.length, changedSince: planner.changedSince,
    };
    return this.ctx.links.addDir(job, Math.max(1, block.count), (r) => this.settle(dir, block, r));
  }

  private settle(dir: string, block: { text: string; count: number }, r: DirLinkResult): void {
    // split only when a line is kept, each then copied: a slice would keep the whole block alive
    let split: string[] | undefined;
    const line = (i: number) => ownString((split ??= block.text.split('\n'))[i]);
    const { planner, effects } = this.ctx;
    effects.listed(dir, { entries: r.entries, files: r.files, bytes: r.bytes, vanished: r.vanished + (r.dirGone ? 1 : 0) });
    if (r.linkedFiles > 0) effects.linked(r.out, r.linkedFiles, r.linkedBytes);
    const names = r.backNames === '' ? [] : r.backNames.split('\0');
    names.forEach((name, i) => {
      const k = i * BACK_STRIDE;
      const e = scanEntryOf(ownString(`${dir}/${name}`), r.back, k);
      const status = r.back[k + BACK_STRIDE - 1];
      if (status !== DIR_LINK.UNDECIDED) planner.linking(e, new LazyIndexEntry(line(r.backPrev[i]), this.strip));
      if (status === DIR_LINK.FAILED) effects.failed(e);
      else if (status === DIR_LINK.UNDECIDED) effects.decided(planner.decideUnmatched(e));
    });
    for (const g of r.gone) planner.keepIfGone(new LazyIndexEntry(line(g), this.strip));
  }
}
