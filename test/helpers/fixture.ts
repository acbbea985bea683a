/**
 * One call builds the whole world an e2e test needs: a generated mail server, a seeded throwaway
 * MariaDB behind the docker shim, a real (loop-mounted ext4) destination disk with the marker,
 * a credentials file and a config `loadConfig` accepts; `run` drives the built CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { prepareDestination } from '../../src/repository/marker.js';
import { startDovecotContainer, startMariaDbContainer, type DovecotContainer, type MariaDbContainer } from './container-services.js';
import { runtimeEnv, type RealRuntime } from './containers.js';
import { installDockerShim, type ContainerState, type DockerShim } from './docker-shim.js';
import { generateMailTree, type MailTreeInfo, type MailTreeOptions } from './mailtree.js';
import { seedMailDatabases, startMariaDb, type MariaDb } from './mariadb.js';
import { mountLoopExt4, mountTmpfs, type Mounted } from './mount.js';
import { cliPath, deepMerge, type Patch } from './paths.js';

export interface FixtureOptions {
  tree?: MailTreeOptions;
  /** loop (ext4 image, default when root), tmpfs, or dir (plain temp dir, no mount) */
  destination?: 'loop' | 'tmpfs' | 'dir';
  destSizeMiB?: number;
  /** loop only: the image on a tmpfs of this size (EIO below ext4 once it is full) */
  destBackingMiB?: number;
  /** write the .mailbackup marker (default true); false leaves destination.root empty */
  marker?: boolean;
  /** create destination.root at all (default true) */
  createDestRoot?: boolean;
  /** start and seed MariaDB (default true) */
  mariadb?: boolean;
  /** merged over mailserver-mariadb / mailserver-dovecot: 'running' */
  containers?: Record<string, ContainerState>;
  /** deep-merged into the generated config */
  config?: Patch;
  /**
   * MariaDB and Dovecot in real containers (test/helpers/containers.ts) reached through this
   * runtime's CLI (docker: the Docker CLI on podman's API); the shim is then not on PATH
   */
  runtime?: RealRuntime;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Fixture {
  base: string;
  sourceRoot: string;
  tree: MailTreeInfo;
  /** the mount point (or plain dir) holding destRoot */
  mountDir: string;
  /** the mounted filesystem (loop or tmpfs destination) */
  disk?: Mounted;
  destRoot: string;
  configPath: string;
  credentialsFile: string;
  /** undefined with { mariadb: false } */
  mariadb: MariaDb | undefined;
  shim: DockerShim;
  /** with `runtime`: the containers (mariadb is then the same server as `mariadb`) */
  containers?: { mariadb?: MariaDbContainer; dovecot: DovecotContainer };
  /** process.env + the shim's PATH and state (with `runtime`: + DOCKER_HOST, CONTAINERS_CONF) */
  env: Record<string, string>;
  config: Record<string, unknown>;
  /** runs `node dist/mailbackup.mjs --config <configPath> ...args` */
  run(args: string[], extraEnv?: Record<string, string>): Promise<RunResult>;
  /** the same, for tests that signal or kill the process midway */
  start(args: string[], extraEnv?: Record<string, string>): ChildProcess;
  /** deep-merges `patch` into the config and rewrites the file (unvalidated, so tests can write
   *  bad configs); `undefined` values delete keys; returns the new config */
  writeConfig(patch: Patch): Record<string, unknown>;
  cleanup(): Promise<void>;
  /** keep MariaDB running and the disk mounted after this process exits (demo --keep) */
  keep(): void;
}

function baseConfig(f: { sourceRoot: string; destRoot: string; mountDir?: string; credentialsFile: string; logDir: string }): Record<string, unknown> {
  return {
    source: { root: f.sourceRoot, mail: 'data/mail', certbot: 'data/certbot', dkim: 'config/opendkim', config: ['docker-compose.yml', '.env', 'config', 'scripts'], logs: 'logs', exclude: [] },
    destination: f.mountDir ? { root: f.destRoot, requireMountpoint: f.mountDir } : { root: f.destRoot },
    database: { runtime: 'docker', container: 'mailserver-mariadb', user: 'root', credentialsFile: f.credentialsFile, databases: ['usermgmt', 'roundcubemail'] },
    dovecot: { container: 'mailserver-dovecot' },
    retention: { daily: 30, weekly: 12 },
    notify: { diskUsageWarnPercent: 80 },
    log: { dir: f.logDir, level: 'debug' },
    priority: { nice: 0, ioniceClass: 0 },
    retry: { attempts: 3, backoffMs: 20 },
  };
}

/** temp dirs of fixtures not yet cleaned up, removed if the process exits first (crash, Ctrl-C) */
const liveBases = new Set<string>();
process.once('exit', () => {
  for (const base of liveBases) rmSync(base, { recursive: true, force: true });
});

export async function createFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const base = mkdtempSync(join(tmpdir(), 'mailbackup-fx-'));
  liveBases.add(base);
  const undo: (() => Promise<void> | void)[] = [
    () => {
      liveBases.delete(base);
      rmSync(base, { recursive: true, force: true });
    },
  ];
  const cleanup = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        process.stderr.write(`fixture cleanup: ${(err as Error).message}\n`);
      }
    }
  };
  try {
    const sourceRoot = join(base, 'source');
    const tree = generateMailTree(sourceRoot, opts.tree);
    const real = opts.runtime ? await startContainers(join(sourceRoot, 'data/mail'), opts.mariadb !== false) : undefined;
    if (real) undo.push(() => real.dovecot.stop());
    const mariadb = opts.mariadb === false ? undefined : (real?.mariadb ?? (await startMariaDb()));
    if (mariadb) {
      undo.push(() => mariadb.stop());
      await seedMailDatabases(mariadb);
    }
    const shim = installDockerShim({
      dir: join(base, 'shim'),
      mariadbSocketDir: mariadb?.socketDir,
      containers: { 'mailserver-mariadb': 'running', 'mailserver-dovecot': 'running', ...opts.containers },
    });

    const kind = opts.destination ?? (process.getuid?.() === 0 ? 'loop' : 'dir');
    let mount: Mounted | undefined;
    if (kind === 'loop') mount = await mountLoopExt4(opts.destSizeMiB ?? 512, { backingMiB: opts.destBackingMiB });
    if (kind === 'tmpfs') mount = await mountTmpfs(opts.destSizeMiB ?? 512);
    if (mount) undo.push(() => mount.cleanup());
    const mountDir = mount?.dir ?? join(base, 'disk');
    mkdirSync(mountDir, { recursive: true });
    const destRoot = join(mountDir, 'mailserver');
    if (opts.createDestRoot !== false) {
      if (opts.marker === false) mkdirSync(destRoot, { mode: 0o700 });
      else prepareDestination(destRoot);
    }

    const credentialsFile = join(base, 'my.cnf');
    writeFileSync(credentialsFile, `[client]\npassword=${mariadb?.password ?? 'no-database'}\n`, { mode: 0o600 });
    chmodSync(credentialsFile, 0o600);
    const configPath = join(base, 'config.yml');
    let config = deepMerge(
      baseConfig({ sourceRoot, destRoot, mountDir: mount ? mountDir : undefined, credentialsFile, logDir: join(base, 'log') }),
      real ? { database: { runtime: opts.runtime, container: real.mariadb?.name ?? 'mailserver-mariadb' }, dovecot: { container: real.dovecot.name } } : {},
    );
    config = deepMerge(config, opts.config ?? {});
    const writeConfig = (patch: Patch): Record<string, unknown> => {
      config = deepMerge(config, patch);
      writeFileSync(configPath, stringify(config), { mode: 0o600 });
      fixture.config = config;
      return config;
    };

    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...(real ? runtimeEnv : shim.env) };
    const start = (args: string[], extraEnv: Record<string, string> = {}): ChildProcess =>
      spawn(process.execPath, [cliPath(), '--config', configPath, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run = (args: string[], extraEnv?: Record<string, string>): Promise<RunResult> =>
      new Promise((resolve, reject) => {
        const child = start(args, extraEnv);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr }));
      });

    const fixture: Fixture = {
      base, sourceRoot, tree, mountDir, disk: mount, destRoot, configPath, credentialsFile, mariadb, shim, containers: real, env, config,
      run, start, writeConfig, cleanup,
      keep: () => {
        liveBases.delete(base);
        mariadb?.detach();
        mount?.detach();
      },
    };
    parseConfig(config, configPath); // fail here, not inside the CLI, if the schema moved on
    writeConfig({});
    return fixture;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Dovecot over the tree's data/mail (mounted where the compose file mounts it) and, unless not wanted, MariaDB. */
async function startContainers(mailDir: string, withDb: boolean): Promise<{ mariadb?: MariaDbContainer; dovecot: DovecotContainer }> {
  const dovecot = await startDovecotContainer(mailDir);
  try {
    return { dovecot, mariadb: withDb ? await startMariaDbContainer() : undefined };
  } catch (err) {
    await dovecot.stop();
    throw err;
  }
}
