// A stand-in for Dovecot's own renames, as fast as one process can go: flag changes, new → cur,
// moves between folders, expunges. Run as a child process (node maildir-churn.mjs ROOT LOGFILE
// SEED) so it truly races the backup; stops on SIGTERM. Every expunged message base is appended
// to LOGFILE, one per line, before it is unlinked (so a crash never hides one).
import { appendFileSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const [root, logFile, seedArg] = process.argv.slice(2);
let seed = Number(seedArg) || 1;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n); // the high bits: an LCG's low bits repeat quickly
};
const base = (name) => name.replace(/[:;]2,.*$/, '');

function mailboxes(dir, out = []) {
  const names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  if (names.includes('cur') && names.includes('new')) {
    out.push({ dir, folders: ['', ...names.filter((n) => n.startsWith('.'))] });
    return out;
  }
  for (const n of names) mailboxes(join(dir, n), out);
  return out;
}

const boxes = mailboxes(root);
let ops = 0;
let stop = false;
process.on('SIGTERM', () => { stop = true; });

function step() {
  const box = boxes[rnd(boxes.length)];
  const folder = box.folders[rnd(box.folders.length)];
  const sub = rnd(4) === 0 ? 'new' : 'cur';
  const dir = join(box.dir, folder, sub);
  let names;
  try { names = readdirSync(dir); } catch { return; }
  if (names.length === 0) return;
  const name = names[rnd(names.length)];
  const from = join(dir, name);
  const op = rnd(40); // 1 in 40 an expunge, 1 in 5 a move: the store stays populated over several runs
  try {
    if (op === 0) {
      appendFileSync(logFile, `${base(name)}\n`);
      unlinkSync(from);
    } else if (op < 9) {
      const target = box.folders[rnd(box.folders.length)];
      renameSync(from, join(box.dir, target, 'cur', sub === 'new' ? `${name}:2,` : name));
    } else if (sub === 'new') {
      renameSync(from, join(box.dir, folder, 'cur', `${name}:2,S`));
    } else {
      const flags = name.includes(':2,') ? name.slice(name.indexOf(':2,') + 3) : '';
      const next = flags.includes('F') ? flags.replace('F', '') : `F${flags}`.split('').sort().join('');
      renameSync(from, join(dir, `${base(name)}:2,${next}`));
    }
    ops++;
  } catch { /* raced ourselves: fine */ }
}

function loop() {
  for (let i = 0; i < 50 && !stop; i++) step();
  if (stop) {
    process.stdout.write(`${ops}\n`);
    process.exit(0);
  }
  setImmediate(loop);
}
loop();
