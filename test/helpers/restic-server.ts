/**
 * A real restic REST server for tests: `rclone serve restic --addr 127.0.0.1:PORT DIR` (Debian
 * rclone), optionally `--append-only`. It can be stopped (kill) and started again on the same
 * port and directory, so tests can take the server away before or during a push.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './net.js';

export interface RestServer {
  url: string;
  port: number;
  dir: string;
  pid(): number | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

export async function startRestServer(dir: string, opts: { appendOnly?: boolean } = {}): Promise<RestServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let stderr = '';
  const server: RestServer = {
    url: `rest:http://127.0.0.1:${port}/`,
    port,
    dir,
    pid: () => child?.pid,
    async start() {
      const args = ['serve', 'restic', '--addr', `127.0.0.1:${port}`, ...(opts.appendOnly ? ['--append-only'] : []), dir];
      child = spawn('rclone', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      for (let i = 0; i < 200; i++) {
        if (await answers(port)) return;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`rclone serve restic did not start on ${port}: ${stderr}`);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
  };
  await server.start();
  return server;
}
