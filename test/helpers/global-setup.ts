// Runs once before the suite. The programs the tests drive must be installed (docs/testing.md: no test
// is skipped for a missing program; as root the script installs them, else it lists them and
// fails), and the e2e tests drive the single-file build, so it must be fresh. The container
// runtime is made ready here too (images built once per machine, then cached), so parallel test
// files find it ready instead of racing to build it.
import { execFileSync } from 'node:child_process';
import { prepareContainerRuntime } from './containers.js';

export default async function setup(): Promise<void> {
  // --bench: the suite also smoke-tests the benchmark, which runs restic, rsnapshot and /usr/bin/time.
  execFileSync('bash', ['scripts/install-system-deps.sh', '--bench'], { stdio: 'inherit' });
  execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
  const started = Date.now();
  const ready = await prepareContainerRuntime();
  const built = Object.entries(ready.buildSeconds).filter(([, s]) => s > 0);
  if (built.length) process.stderr.write(`container images built: ${built.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', ')}\n`);
  else process.stderr.write(`container runtime ready (images cached) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
