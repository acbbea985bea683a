/**
 * A real container runtime for the tests: podman as root with runc (crun refuses this kernel's
 * hybrid cgroup layout) and a containers.conf whose default ulimits stay within the hard limits,
 * the Docker CLI reaching it through `podman system service` (DOCKER_HOST), and MariaDB and
 * Dovecot images built from Debian's packages (`mmdebstrap --variant=apt`, `podman import`),
 * once per machine, keyed by the package versions. All of that set-up lives here, nowhere else.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CACHE_DIR = '/var/cache/mailbackup-test';
const CONF = join(CACHE_DIR, 'containers.conf');
const SOCKET_DIR = '/run/mailbackup-test';
const SOCKET = join(SOCKET_DIR, 'podman.sock');
/** bumped when a recipe below changes, so the cached image is rebuilt */
const RECIPE = 2;

export type RealRuntime = 'podman' | 'docker';

/** What any process needs to reach the runtime: podman's config and the Docker CLI's socket. */
export const runtimeEnv: Record<string, string> = { CONTAINERS_CONF: CONF, DOCKER_HOST: `unix://${SOCKET}` };

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a runtime CLI (or any program) with runtimeEnv; never rejects. */
export function sh(file: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: { ...process.env, ...runtimeEnv, ...opts.env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

async function must(file: string, args: string[], input?: string): Promise<string> {
  const r = await sh(file, args, { input });
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

interface ImageRecipe {
  name: string;
  packages: string[];
  /** shell run in the root filesystem after the packages are in (mmdebstrap customize hook, $1 = root) */
  hook: string;
}

const IMAGES: Record<'mariadb' | 'dovecot', ImageRecipe> = {
  mariadb: {
    name: 'mailbackup-test-mariadb',
    packages: ['mariadb-server', 'mariadb-client'],
    // the datadir is initialised by the package; the socket dir is made at each start (entrypoint)
    hook: 'true',
  },
  dovecot: {
    name: 'mailbackup-test-dovecot',
    packages: ['dovecot-core', 'dovecot-imapd'],
    hook: 'chroot "$1" sh -c "getent group vmail >/dev/null || groupadd -g 5000 vmail; id vmail >/dev/null 2>&1 || useradd -u 5000 -g 5000 -d /var/mail -M -s /usr/sbin/nologin vmail"',
  },
};

/** containers.conf: runc, and ulimits a container may have here (the default nofile exceeds the hard limit). */
function writeContainersConf(): void {
  const hardNofile = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\S+\s+(\d+)/)?.[1] ?? 4096);
  const text = [
    '[containers]',
    `default_ulimits = ["nofile=${hardNofile}:${hardNofile}", "nproc=4096:4096"]`,
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    '',
  ].join('\n');
  mkdirSync(CACHE_DIR, { recursive: true });
  if (!existsSync(CONF) || readFileSync(CONF, 'utf8') !== text) writeFileSync(CONF, text);
}

/** The image tag: the recipe and the Debian versions apt would install now. */
async function imageTag(r: ImageRecipe): Promise<string> {
  const policy = await must('apt-cache', ['policy', ...r.packages]);
  const versions = r.packages.map((p) => `${p}=${new RegExp(`^${p}:\\n\\s+Installed: .*\\n\\s+Candidate: (\\S+)`, 'm').exec(policy)?.[1] ?? '?'}`);
  const key = createHash('sha256').update(JSON.stringify([RECIPE, r.packages, versions, r.hook])).digest('hex').slice(0, 16);
  return `localhost/${r.name}:${key}`;
}

/** Builds the image unless the tag exists; returns the seconds spent (0 when cached). */
async function ensureImage(r: ImageRecipe): Promise<{ tag: string; seconds: number }> {
  const tag = await imageTag(r);
  if ((await sh('podman', ['image', 'exists', tag])).code === 0) return { tag, seconds: 0 };
  const started = Date.now();
  const tar = join(CACHE_DIR, `${r.name}.tar`);
  // the host's own sources, so the versions in the tag are the versions installed
  const sources = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].find((f) => existsSync(f) && statSync(f).size > 0);
  await must('mmdebstrap', [
    '--variant=apt', '--quiet', `--include=${r.packages.join(',')}`,
    '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
    `--customize-hook=${r.hook}`, 'bookworm', tar, ...(sources ? [sources] : []),
  ]);
  try {
    await must('podman', ['import', '--change', 'CMD ["/bin/bash"]', tar, tag]);
  } finally {
    rmSync(tar, { force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(CACHE_DIR, `${r.name}.built.json`), JSON.stringify({ tag, seconds, at: new Date().toISOString() }) + '\n');
  return { tag, seconds };
}

/** `podman system service` on SOCKET, started once per machine and left running for the next run. */
async function ensureService(): Promise<void> {
  const answers = async () => (await sh('docker', ['version', '--format', '{{.Server.Version}}'])).code === 0;
  if (await answers()) return;
  mkdirSync(SOCKET_DIR, { recursive: true });
  rmSync(SOCKET, { force: true });
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], {
    env: { ...process.env, ...runtimeEnv }, detached: true, stdio: 'ignore',
  });
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (await answers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`podman system service did not answer on ${SOCKET}`);
}

export interface Images {
  mariadb: string;
  dovecot: string;
  /** seconds each build took in this call (0: cached) */
  buildSeconds: Record<string, number>;
}

/** One machine-wide lock (mkdir is atomic): parallel runs must not build the same image twice. */
async function locked<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(CACHE_DIR, 'build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true }); // a crashed build's
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Everything the runtime needs, idempotent: called by the vitest globalSetup and by the helpers. */
export async function prepareContainerRuntime(): Promise<Images> {
  mkdirSync(CACHE_DIR, { recursive: true });
  return locked(async () => {
    writeContainersConf();
    // side by side: each build waits on downloads and dpkg as much as on the CPU
    const [mariadb, dovecot] = await Promise.all([ensureImage(IMAGES.mariadb), ensureImage(IMAGES.dovecot)]);
    await ensureService();
    return { mariadb: mariadb.tag, dovecot: dovecot.tag, buildSeconds: { mariadb: mariadb.seconds, dovecot: dovecot.seconds } };
  });
}

let prepared: Promise<Images> | undefined;
/** prepareContainerRuntime once per process */
export const images = (): Promise<Images> => (prepared ??= prepareContainerRuntime());
