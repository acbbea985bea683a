// Bundles the CLI into one file, dist/mailbackup.mjs, that runs with plain `node` and no node_modules.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

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
  define: { __MAILBACKUP_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (pino, nodemailer) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

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
