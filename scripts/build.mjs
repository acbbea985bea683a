// Bundles the CLI into one file, dist/mailbackup.mjs, that runs with plain `node` and no node_modules.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: 'dist/mailbackup.mjs',
  // External map (dist/mailbackup.mjs.map, use with `node --enable-source-maps`): an inline one
  // tripled the file and cost ~0.3 s of parsing on every run, cron's and status's included.
  sourcemap: 'external',
  // every string, regexp and identifier escaped to ASCII (esbuild's default, made explicit: the
  // step below relies on it)
  charset: 'ascii',
  define: { __MAILBACKUP_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (pino, nodemailer) call require(); give the ESM bundle one.
  // The shebang lets the packages install it as an executable (/usr/bin/mailbackup links to it).
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

// What esbuild keeps of comments may hold a '→' or '…' from a dependency or from us. One such
// character makes Node decode the whole 1.9 MB file into a two-byte string and V8 parse that on
// every run (cron's, status's); all-ASCII source takes the one-byte path. With charset 'ascii'
// nothing but comment text can hold one, and each UTF-16 unit becomes one '?', so the source
// map's columns stay right.
const cli = 'dist/mailbackup.mjs';
const text = readFileSync(cli, 'utf8');
if (/[\u0080-\uffff]/.test(text)) writeFileSync(cli, text.replace(/[\u0080-\uffff]/g, '?'));

// The test harness (generator, throwaway MariaDB, docker shim, fixture) for plain-node scripts:
// scripts/demo.mjs and scripts/bench.mjs import dist/test-harness.mjs without TypeScript tooling.
await build({
  entryPoints: ['test/helpers/harness.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: 'dist/test-harness.mjs',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

// What scripts/package.mjs renders the .deb and .rpm from: the commander program (man pages), the
// package layout, the systemd units and the package metadata (src/packaging/).
await build({
  entryPoints: ['src/packaging/index.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: 'dist/packaging.mjs',
  define: { __MAILBACKUP_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
