/**
 * For the package tests: build the .deb/.rpm with `scripts/package.mjs`, drive apt-get and rpm,
 * a scratch root for `rpm --root` whose scriptlets really run (dash and its libraries copied in),
 * and an interactive bash or zsh in a real pseudo-terminal (tmux) to press Tab in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { waitFor } from './wait.js';

export interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: Record<string, string> = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `node scripts/package.mjs --out DIR …` from the current single-file build. */
export function buildPackages(out: string, extra: string[] = []): string {
  const r = run('node', [resolve('scripts/package.mjs'), '--out', out, ...extra]);
  if (r.status !== 0) throw new Error(`scripts/package.mjs failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** apt-get as an admin runs it; waits for another apt run's lock instead of failing. */
export const aptGet = (...args: string[]) =>
  run('apt-get', ['-y', '-o', 'DPkg::Lock::Timeout=600', ...args], { DEBIAN_FRONTEND: 'noninteractive' });

export const installedVersion = () => run('dpkg-query', ['-W', '-f', '${Status} ${Version}', 'mailbackup']).stdout;
/** dpkg's state of the package: installed, config-files, half-installed, …; '' or not-installed when absent. */
export const packageState = () => run('dpkg-query', ['-W', '-f', '${Status}', 'mailbackup']).stdout.split(' ')[2] ?? '';

/** An empty root with /bin/sh (dash) and the libraries it loads, so rpm's scriptlets run in it. */
export function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mailbackup-rpmroot-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync('/usr/bin/dash', join(root, 'bin/sh'));
  for (const lib of execFileSync('ldd', ['/usr/bin/dash'], { encoding: 'utf8' }).match(/\/\S+/g) ?? []) {
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(lib, join(root, lib));
  }
  return root;
}

/** An interactive shell (no rc files) in a private tmux server; keys are typed, the screen read back. */
export function shellInTerminal(shell: 'bash --norc --noprofile -i' | 'zsh -f -i', env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mailbackup-tab-'));
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', join(dir, 'sock'), ...args], { encoding: 'utf8' });
  const exports = Object.entries(env).map(([k, v]) => `${k}='${v}'`);
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '30', `env -i ${exports.join(' ')} ${shell}`);
  const screen = () => tmux('capture-pane', '-p', '-t', '0');
  return {
    type: (...keys: string[]) => void tmux('send-keys', '-t', '0', ...keys),
    screen,
    /** the screen once `re` shows on it, or the last screen after `timeoutMs` (the caller asserts) */
    async waitFor(re: RegExp, timeoutMs = 20_000): Promise<string> {
      await waitFor(() => re.test(screen()), { timeoutMs, everyMs: 100 }).catch(() => undefined);
      return screen();
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
