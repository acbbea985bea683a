/** A path the plan lists for copying, with the size the scan saw (for batching by bytes). */
export interface ToCopy {
  path: string;
  size: number;
  /** the source inode and its link count, when it has several names (hardlinks.ts) */
  ino?: number;
  nlink?: number;
}
