/**
 * A local node:http server standing in for healthchecks.io: records each request's method and
 * path, and answers per path with a status code, or never (a hung endpoint).
 */
import { createServer, type ServerResponse } from 'node:http';

export interface PingServer {
  /** base URL of one check, e.g. http://127.0.0.1:PORT/ping/abc-uuid */
  url: string;
  /** request paths in arrival order, relative to the check: '', '/start', '/fail', '/2' */
  seen: string[];
  methods: string[];
  close(): Promise<void>;
}

export async function startPingServer(opts: { status?: number; hang?: boolean; uuid?: string } = {}): Promise<PingServer> {
  const base = `/ping/${opts.uuid ?? '0f1e2d3c-aaaa-bbbb-cccc-123456789abc'}`;
  const seen: string[] = [];
  const methods: string[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.push(path.startsWith(base) ? path.slice(base.length) : path);
    methods.push(req.method ?? '');
    req.resume();
    if (opts.hang) {
      hung.push(res);
      return;
    }
    res.writeHead(opts.status ?? 200, { 'content-type': 'text/plain' }).end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    seen,
    methods,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
