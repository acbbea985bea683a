/**
 * Puts the docker/podman shim (docker-shim/shim.mjs, see docs/testing.md) first on PATH for a test.
 * `docker exec` runs the command on this host with /run/mysqld bind-mounted from the throwaway
 * MariaDB; every argv the shim receives is logged so tests can assert what real docker would get.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ContainerSpec = {
  status: 'running' | 'stopped' | 'flaky' | 'slow';
  /** flaky: how many `exec` calls fail with "is restarting" before it works (default 1) */
  failures?: number;
  /** slow: how long every `exec` sleeps before running */
  delayMs?: number;
  /** environment the container itself has (docker exec does not inherit the caller's) */
  env?: Record<string, string>;
  /** commands the image lacks (e.g. ['mysqldump'] for MariaDB 11): exec exits 127 like docker */
  missingCommands?: string[];
  image?: string;
};
/** 'running' / 'stopped' are shorthands for { status }. */
export type ContainerState = 'running' | 'stopped' | ContainerSpec;

export interface DockerShimOptions {
  /** a temp dir of the test; bin/, the state file and the argv log go here */
  dir: string;
  /** MariaDb.socketDir: bind-mounted on /run/mysqld for every `docker exec` */
  mariadbSocketDir?: string;
  containers: Record<string, ContainerState>;
}

export interface DockerShim {
  binDir: string;
  /** PATH with binDir first, and MAILBACKUP_SHIM_STATE; merge into a child's env */
  env: Record<string, string>;
  statePath: string;
  logPath: string;
  /** every invocation so far: [program ('docker'|'podman'), ...args] */
  argvLog(): string[][];
  setContainer(name: string, state: ContainerState): void;
  /** from now on `docker exec` reaches this server (a fresh one, as after a recovery) */
  setMariadbSocketDir(dir: string): void;
}

/** test/helpers/docker-shim, found from this module (source or dist/) or else from the cwd. */
export function shimSourceDir(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'docker-shim', 'shim.mjs'))) return join(dir, 'docker-shim');
      const candidate = join(dir, 'test', 'helpers', 'docker-shim');
      if (existsSync(join(candidate, 'shim.mjs'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find test/helpers/docker-shim from ${import.meta.url} or ${process.cwd()}`);
}

const normalize = (s: ContainerState): ContainerSpec => (typeof s === 'string' ? { status: s } : s);

export function installDockerShim(opts: DockerShimOptions): DockerShim {
  const binDir = join(opts.dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const source = join(shimSourceDir(), 'docker');
  for (const name of ['docker', 'podman']) {
    rmSync(join(binDir, name), { force: true });
    symlinkSync(source, join(binDir, name));
  }
  const statePath = join(opts.dir, 'docker-shim-state.json');
  const logPath = join(opts.dir, 'docker-argv.jsonl');
  writeFileSync(logPath, '');
  const containers: Record<string, ContainerSpec> = {};
  for (const [name, s] of Object.entries(opts.containers)) containers[name] = normalize(s);
  // Atomic: a shim started at that moment (a test's background run) must never read half a file.
  const save = (): void => {
    writeFileSync(`${statePath}.tmp`, JSON.stringify({ log: logPath, mariadbSocketDir: opts.mariadbSocketDir, containers }, null, 2));
    renameSync(`${statePath}.tmp`, statePath);
  };
  save();

  return {
    binDir,
    statePath,
    logPath,
    env: { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, MAILBACKUP_SHIM_STATE: statePath },
    argvLog: () =>
      readFileSync(logPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    setContainer(name, s) {
      containers[name] = normalize(s);
      rmSync(`${statePath}.flaky-${name}`, { force: true });
      save();
    },
    setMariadbSocketDir(dir) {
      opts.mariadbSocketDir = dir;
      save();
    },
  };
}
