// Command line and the size presets. A preset fixes the generator (seeded: the same tree every
// time) and the simulated day; `suite` says which comparisons run at that size.
import { parseArgs } from 'node:util';

// One day as docs/architecture.md measured it: ~1 % new, ~1 % renamed (flags), some read, moved, expunged.
const DAY = { seed: 42, newFraction: 0.01, seenFraction: 0.5, readFraction: 0.01, moveFraction: 0.002, expungeFraction: 0.002 };
// The "only marked read" day of the issue: 10 % of the messages get a flag, nothing else happens.
const READ_ONLY_DAY = { seed: 43, newFraction: 0, seenFraction: 0, readFraction: 0.1, moveFraction: 0, expungeFraction: 0 };

/** messages ≈ domains × usersPerDomain × 7 folders × messagesPerFolder */
const SIZES = {
  tiny: { tree: { seed: 1, domains: 1, usersPerDomain: 2, messagesPerFolder: 6, attachmentFraction: 0.05 }, suite: 'full', clones: 40 },
  small: { tree: { seed: 1, domains: 2, usersPerDomain: 5, messagesPerFolder: 143, attachmentFraction: 0.15 }, suite: 'full', clones: 40 },
  // ≈ 100,000 messages, ≈ 2.5 GB: the tree of docs/architecture.md (15 % carry a 20–200 KB attachment)
  medium: { tree: { seed: 1, domains: 4, usersPerDomain: 10, messagesPerFolder: 357, attachmentFraction: 0.15 }, suite: 'full', clones: 40 },
  // 1,000,000 small files (no attachments): the memory ceiling, not the competitors
  scale: { tree: { seed: 1, domains: 10, usersPerDomain: 20, messagesPerFolder: 714, attachmentFraction: 0 }, suite: 'scale', clones: 0 },
};

const USAGE = `usage: npm run bench -- [--size tiny|small|medium|scale] [--runs N] [--dir DIR] [--no-write]
                        [--drop-caches] [--keep] [--out FILE] [--fs loop|dir] [--baseline-cli FILE]
  --size         tree size (default small): ${Object.keys(SIZES).join(', ')}
  --runs         repetitions per timed command; the median is reported (default 3)
  --dir          where to generate the tree and the backups (default: a new dir under /tmp)
  --no-write     print the table only; do not write docs/benchmarks.md and bench-results/*.json
  --drop-caches  drop the page cache before every timed command (cold cache; root only)
  --keep         leave the generated tree and backups in place
  --fs           loop (default as root): a fresh journaled ext4 image mounted for the run;
                 dir: the --dir filesystem as it is
  --out          JSON result path (default bench-results/<size>-<date>.json)
  --baseline-cli another build of mailbackup (e.g. an earlier commit's dist/mailbackup.mjs), timed
                 beside this one in the same rounds of the first full and the incremental backup
  --render F     no run: regenerate docs/benchmarks.md from a result JSON file; repeat the
                 option to append more runs (e.g. --render medium.json --render scale.json)`;

export function parseOptions(argv) {
  let v;
  try {
    ({ values: v } = parseArgs({
      args: argv,
      options: {
        size: { type: 'string', default: 'small' },
        runs: { type: 'string', default: '3' },
        dir: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        'drop-caches': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        out: { type: 'string' },
        fs: { type: 'string', default: 'loop' },
        'baseline-cli': { type: 'string' },
        render: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    return { error: `${err.message}\n${USAGE}` };
  }
  if (v.help) return { help: USAGE };
  if (v.render) return { render: v.render };
  const preset = SIZES[v.size];
  if (!preset) return { error: `unknown --size ${v.size}\n${USAGE}` };
  const runs = Number(v.runs);
  if (!Number.isInteger(runs) || runs < 1) return { error: `--runs must be a positive integer, got ${v.runs}\n${USAGE}` };
  if (v.fs !== 'loop' && v.fs !== 'dir') return { error: `--fs must be loop or dir, got ${v.fs}\n${USAGE}` };
  return {
    baselineCli: v['baseline-cli'],
    size: v.size, preset, runs, dir: v.dir, fs: v.fs, write: !v['no-write'], dropCaches: v['drop-caches'], keep: v.keep, out: v.out,
    day: DAY, readOnlyDay: READ_ONLY_DAY, argv,
  };
}
