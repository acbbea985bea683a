/**
 * Header blocks of the messages a run copied, taken from the read that hashed them (pool.ts),
 * kept until the message index asks for them (find/index-build.ts via headMany): a new message
 * is read once per backup, not once to hash and again for its headers. Bounded: past `maxBytes`
 * nothing more is kept and the index reads the rest itself (a first full backup of a large store).
 */
export class HeadCache {
  private readonly heads = new Map<string, string>();
  private bytes = 0;
  /** blocks handed out from the cache / kept in it, over the run */
  taken = 0;
  kept = 0;

  constructor(private readonly maxBytes: number) {}

  /** room for more: hash jobs ask their workers for header blocks only while this holds */
  get open(): boolean {
    return this.bytes < this.maxBytes;
  }

  keep(path: string, head: string): void {
    if (!this.open) return;
    const old = this.heads.get(path);
    if (old !== undefined) this.bytes -= old.length;
    this.heads.set(path, head);
    this.bytes += head.length;
    this.kept++;
  }

  /** the block kept for `path`, once: it is dropped as it is handed out */
  take(path: string): string | undefined {
    const head = this.heads.get(path);
    if (head === undefined) return undefined;
    this.heads.delete(path);
    this.bytes -= head.length;
    this.taken++;
    return head;
  }
}
