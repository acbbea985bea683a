/** vmail/ trees for the mailbox-layout tests: a maildir (cur/, new/, tmp/ and a .Sent folder) at each given path. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface VmailTrees {
  /** a new vmail/ directory holding a maildir at each of `maildirs` (paths under vmail/) */
  tree(...maildirs: string[]): string;
  cleanup(): void;
}

export function vmailTrees(prefix: string): VmailTrees {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    tree(...maildirs) {
      const vmail = join(tmp, `t${n++}`, 'vmail');
      mkdirSync(vmail, { recursive: true });
      for (const m of maildirs) for (const d of ['cur', 'new', 'tmp', '.Sent/cur']) mkdirSync(join(vmail, m, d), { recursive: true });
      return vmail;
    },
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
