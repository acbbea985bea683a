// What a new snapshot costs on disk: regular files whose inode the previous snapshot does not
// have (st_blocks × 512), split into maildir message files (…/cur/… and …/new/…) and everything
// else (Dovecot indexes, uidlists, manifests). Directories are left out: every hardlink snapshot
// tool must create its own, and `du` shows them in the totals.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, visit, rel = '') {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path, visit, r);
    else if (e.isFile()) visit(path, r);
  }
}

/** Inode numbers of every regular file under `dir` (one filesystem, so numbers are unique). */
function inodesOf(dir) {
  const set = new Set();
  walk(dir, (path) => set.add(lstatSync(path).ino));
  return set;
}

const isMessage = (rel) => /(^|\/)(cur|new)\/[^/]+$/.test(rel);

/** Bytes `newDir` adds beyond `prevDir`. */
export function exclusiveBytes(prevDir, newDir) {
  const old = inodesOf(prevDir);
  const out = { messageFiles: 0, messageBytes: 0, otherFiles: 0, otherBytes: 0 };
  walk(newDir, (path, rel) => {
    const st = lstatSync(path);
    if (old.has(st.ino)) return;
    const bytes = st.blocks * 512;
    if (isMessage(rel)) {
      out.messageFiles++;
      out.messageBytes += bytes;
    } else {
      out.otherFiles++;
      out.otherBytes += bytes;
    }
  });
  return out;
}
