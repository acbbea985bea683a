/**
 * The fs pool's worker thread (fs-pool.ts), as source text: workers come from inline code
 * (`eval: true`) for the same reason as the hash pool's, the CLI ships as one bundled file. The
 * main thread decides what the numbers it reports mean.
 */
import { INDEX_LINE_HELPERS } from '../../repository/manifest-format.js';
import { DIR_LINK_HELPERS, linkDirectory } from '../link/dir-link.js';

// list: the names of a directory and, per name, 9 numbers of its lstat: kind (0 gone, 1 file,
// 2 dir, 3 symlink, 4 other), ino, size, mtimeMs, ctimeMs, mode, uid, gid, nlink. Asked with
// leafOk, only `leaf: true` when it holds no directory (dir-link.ts lists it again in its turn).
// A directory that is gone (renamed or deleted meanwhile) answers gone: true.
// link: two directory prefixes and the names under each, NUL-joined (one string clones far
// cheaper than hundreds); the second list left out when it is the first (the common case).
// For each [from, to]: link, then lstat the new name (served from the inode cache). Per link
// 7 numbers: ok (1) or not (0), ino, size, mtimeMs, mode, uid, gid. An error copiesInstead()
// names means "take it from the source instead"; any other fails the batch.
// linkdir: one leaf directory linked as a whole (dir-link.ts), from the functions' own source.
// The helpers are self-contained or call only their own module's (INDEX_LINE_HELPERS lists those).
export const workerCode = (): string => {
  const helpers = Object.entries(DIR_LINK_HELPERS).map(([name, f]) => `${name}: ${f.toString()}`);
  const own = INDEX_LINE_HELPERS.map((f) => `const ${f.name} = ${f.toString()};\n`).join('');
  return `${own}const dirLinkHelpers = { ${helpers.join(',\n')} };\nconst linkDirectory = ${linkDirectory.toString()};\n${WORKER_CODE}`;
};
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
function list(job) {
  let names;
  try {
    if (job.leafOk) {
      const dirents = fs.readdirSync(job.dir, { withFileTypes: true });
      if (!dirents.some((d) => d.isDirectory())) return parentPort.postMessage({ id: job.id, leaf: true });
      names = dirents.map((d) => d.name);
    } else names = fs.readdirSync(job.dir);
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return parentPort.postMessage({ id: job.id, gone: true });
    throw err;
  }
  const out = new Float64Array(names.length * 9);
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    let st;
    try {
      st = fs.lstatSync(job.dir + '/' + names[i]);
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') continue;
      throw err;
    }
    out[k] = st.isFile() ? 1 : st.isDirectory() ? 2 : st.isSymbolicLink() ? 3 : 4;
    out[k + 1] = st.ino; out[k + 2] = st.size; out[k + 3] = st.mtimeMs; out[k + 4] = st.ctimeMs;
    out[k + 5] = st.mode; out[k + 6] = st.uid; out[k + 7] = st.gid; out[k + 8] = st.nlink;
  }
  parentPort.postMessage({ id: job.id, names: names.join('\0'), out }, [out.buffer]);
}
function link(job) {
  const from = job.from.split('\0'), to = job.to === undefined ? from : job.to.split('\0');
  const out = new Float64Array(from.length * 7);
  for (let i = 0, k = 0; i < from.length; i++, k += 7) {
    const dst = job.toBase + to[i];
    try {
      fs.linkSync(job.fromBase + from[i], dst);
    } catch (err) {
      if (dirLinkHelpers.copiesInstead(err.code)) continue;
      throw err;
    }
    const st = fs.lstatSync(dst);
    out[k] = st.isFile() ? 1 : 2;
    out[k + 1] = st.ino; out[k + 2] = st.size; out[k + 3] = st.mtimeMs;
    out[k + 4] = st.mode; out[k + 5] = st.uid; out[k + 6] = st.gid;
  }
  parentPort.postMessage({ id: job.id, out }, [out.buffer]);
}
function linkdir(job) {
  const r = linkDirectory(job, fs, dirLinkHelpers);
  parentPort.postMessage({ id: job.id, dir: r }, [r.back.buffer, r.backPrev.buffer, r.gone.buffer]);
}
parentPort.on('message', (job) => {
  try {
    if (job.type === 'list') list(job);
    else if (job.type === 'linkdir') linkdir(job);
    else link(job);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message || err), code: err && err.code });
  }
});
`;
