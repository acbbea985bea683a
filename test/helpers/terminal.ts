/**
 * Runs a command in a real pseudo-terminal (a private tmux server), the way a person sees it:
 * `captures` are screens taken every `everyMs` while it runs, `raw` is every byte it wrote
 * (tmux pipe-pane, so no redraw between two captures is lost), `screen` the last screen.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TerminalRun {
  exitCode: number;
  captures: string[];
  raw: string;
  screen: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runInTerminal(
  argv: string[],
  env: Record<string, string>,
  o: { columns?: number; rows?: number; everyMs?: number; timeoutMs?: number } = {},
): Promise<TerminalRun> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbackup-tty-'));
  const sock = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  const go = join(dir, 'go');
  const rc = join(dir, 'rc');
  const raw = join(dir, 'raw');
  // the command waits for `go`, so pipe-pane is in place before its first byte
  const script = [
    ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
    `while [ ! -e ${q(go)} ]; do sleep 0.05; done`,
    argv.map(q).join(' '),
    `echo $? > ${q(rc)}.tmp && mv ${q(rc)}.tmp ${q(rc)}`,
    'sleep 600',
  ].join('\n');
  writeFileSync(join(dir, 'run.sh'), script);
  const captures: string[] = [];
  try {
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 't', '-x', String(o.columns ?? 120), '-y', String(o.rows ?? 30), `bash ${q(join(dir, 'run.sh'))}`);
    tmux('pipe-pane', '-o', '-t', 't', `cat >> ${q(raw)}`);
    writeFileSync(go, '');
    const deadline = Date.now() + (o.timeoutMs ?? 120_000);
    while (!existsSync(rc)) {
      if (Date.now() > deadline) throw new Error(`${argv.join(' ')} did not finish in the terminal in time`);
      await new Promise((r) => setTimeout(r, o.everyMs ?? 200));
      captures.push(tmux('capture-pane', '-p', '-t', 't'));
    }
    await new Promise((r) => setTimeout(r, 200)); // the last bytes reach pipe-pane
    const screen = tmux('capture-pane', '-p', '-t', 't');
    return { exitCode: Number(readFileSync(rc, 'utf8').trim()), captures, raw: existsSync(raw) ? readFileSync(raw, 'utf8') : '', screen };
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
