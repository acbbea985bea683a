// Runs once before the suite: the e2e tests drive the single-file build, so it must be fresh.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
}
