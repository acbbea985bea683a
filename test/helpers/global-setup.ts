// Runs once before the suite. The programs the tests drive must be installed (docs/testing.md: no test
// is skipped for a missing program; as root the script installs them, else it lists them and
// fails), and the e2e tests drive the single-file build, so it must be fresh.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  // --bench: the suite also smoke-tests the benchmark, which runs restic, rsnapshot and /usr/bin/time.
  execFileSync('bash', ['scripts/install-system-deps.sh', '--bench'], { stdio: 'inherit' });
  execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
}
