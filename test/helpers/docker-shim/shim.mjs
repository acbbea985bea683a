// The docker/podman stand-in (docs/testing.md). argv: <program name> <docker args…>.
// State: JSON file at $MAILBACKUP_SHIM_STATE =
//   { log, mariadbSocketDir?, containers: { NAME: { status, failures?, delayMs?, env?, missingCommands?, image? } } }
// status: running | stopped | flaky (exec fails `failures` times, then works) | slow (exec sleeps delayMs first).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';

const [program, ...args] = process.argv.slice(2);
const statePath = process.env.MAILBACKUP_SHIM_STATE;
if (!statePath) fail(`${program} shim: MAILBACKUP_SHIM_STATE is not set (the test setup must call installDockerShim)`, 125);
const state = JSON.parse(readFileSync(statePath, 'utf8'));
appendFileSync(state.log, JSON.stringify([program, ...args]) + '\n');

// Like a real container: its own PATH and HOME, nothing inherited from the caller but what -e passes.
const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function fail(message, code = 1) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

const idOf = (name) => createHash('sha256').update(name).digest('hex');

function container(name) {
  const c = state.containers?.[name];
  return c ? { ...c, name, id: idOf(name) } : undefined;
}

function inspectObject(c) {
  const running = c.status !== 'stopped';
  return {
    Id: c.id,
    Name: `/${c.name}`,
    State: {
      Status: running ? 'running' : 'exited',
      Running: running,
      Restarting: c.status === 'flaky' && remainingFailures(c) > 0,
      ExitCode: running ? 0 : 137,
    },
    Config: { Image: c.image ?? 'mariadb:11', Env: Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`) },
  };
}

/** Renders the small subset of Go templates tests and the tool use: {{.A.B}} and {{json .A}}. */
function render(template, obj) {
  return template.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_, json, path) => {
    let v = obj;
    for (const key of path.split('.').filter(Boolean)) v = v?.[key];
    if (json) return JSON.stringify(v ?? null);
    return v === undefined ? '<no value>' : String(v);
  });
}

function flakyCounterPath(c) {
  return `${statePath}.flaky-${c.name}`;
}
function remainingFailures(c) {
  const used = existsSync(flakyCounterPath(c)) ? statSync(flakyCounterPath(c)).size : 0;
  return Math.max(0, (c.failures ?? 1) - used);
}

function cmdInspect(rest) {
  let format;
  const names = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-f' || a === '--format') format = rest[++i];
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (a === '--type') i++;
    else if (!a.startsWith('-')) names.push(a);
  }
  const found = names.map(container);
  const out = found.filter(Boolean).map(inspectObject);
  if (format) for (const o of out) process.stdout.write(render(format, o) + '\n');
  else process.stdout.write(JSON.stringify(out, null, 4) + '\n');
  const missing = names.filter((_, i) => !found[i]);
  for (const n of missing) process.stderr.write(`Error: No such object: ${n}\n`);
  process.exit(missing.length || names.length === 0 ? 1 : 0);
}

function cmdPs(rest) {
  let format;
  let all = false;
  let quiet = false;
  const filters = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--format') format = rest[++i];
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (a === '-a' || a === '--all') all = true;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-f' || a === '--filter') filters.push(rest[++i]);
  }
  const rows = Object.keys(state.containers ?? {})
    .map(container)
    .filter((c) => all || c.status !== 'stopped')
    .filter((c) => filters.every((f) => !f.startsWith('name=') || c.name.includes(f.slice(5))))
    .map((c) => ({
      ID: c.id.slice(0, 12),
      Names: c.name,
      Image: c.image ?? 'mariadb:11',
      State: c.status === 'stopped' ? 'exited' : 'running',
      Status: c.status === 'stopped' ? 'Exited (137) 2 hours ago' : 'Up 3 days',
    }));
  if (quiet) format = '{{.ID}}';
  if (!format) {
    process.stdout.write('CONTAINER ID   IMAGE   STATUS   NAMES\n');
    format = '{{.ID}}   {{.Image}}   {{.Status}}   {{.Names}}';
  }
  for (const r of rows) process.stdout.write(render(format, r) + '\n');
  process.exit(0);
}

function parseExec(rest) {
  const env = {};
  let interactive = false;
  let workdir;
  let i = 0;
  const setEnv = (spec) => {
    const eq = spec.indexOf('=');
    if (eq >= 0) env[spec.slice(0, eq)] = spec.slice(eq + 1);
    else if (process.env[spec] !== undefined) env[spec] = process.env[spec];
  };
  for (; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-')) break;
    if (a === '-e' || a === '--env') setEnv(rest[++i]);
    else if (a.startsWith('--env=')) setEnv(a.slice(6));
    else if (a.startsWith('-e') && a.length > 2) setEnv(a.slice(2));
    else if (a === '-u' || a === '--user') i++;
    else if (a === '-w' || a === '--workdir') workdir = rest[++i];
    else if (a === '-i' || a === '--interactive') interactive = true;
    else if (/^-[itd]+$/.test(a)) interactive ||= a.includes('i');
    else fail(`unknown flag: ${a}\nSee '${program} exec --help'.`, 125);
  }
  return { env, interactive, workdir, name: rest[i], command: rest.slice(i + 1) };
}

function onPath(cmd) {
  if (cmd.includes('/')) return existsSync(cmd);
  return CONTAINER_PATH.split(delimiter).some((d) => existsSync(join(d, cmd)));
}

async function cmdExec(rest) {
  const ex = parseExec(rest);
  if (!ex.name || ex.command.length === 0) fail(`"${program} exec" requires at least 2 arguments.`);
  const c = container(ex.name);
  if (!c) fail(`Error response from daemon: No such container: ${ex.name}`);
  if (c.status === 'stopped') fail(`Error response from daemon: container ${c.id} is not running`);
  if (c.status === 'flaky' && remainingFailures(c) > 0) {
    appendFileSync(flakyCounterPath(c), 'x');
    fail(`Error response from daemon: container ${c.id} is restarting, wait until the container is running`);
  }
  if (c.status === 'slow') await new Promise((r) => setTimeout(r, c.delayMs ?? 2000));
  const cmd = ex.command[0];
  if ((c.missingCommands ?? []).includes(cmd) || !onPath(cmd)) {
    fail(
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`,
      127,
    );
  }
  const env = { PATH: CONTAINER_PATH, HOME: '/root', HOSTNAME: c.id.slice(0, 12), ...(c.env ?? {}), ...ex.env };
  let file = ex.command[0];
  let argv = ex.command.slice(1);
  if (state.mariadbSocketDir) {
    if (!existsSync('/run/mysqld')) mkdirSync('/run/mysqld', { recursive: true });
    file = 'unshare';
    // A normal user (demo without root) needs a user namespace to be allowed to bind-mount.
    const userns = process.getuid() === 0 ? [] : ['--map-root-user'];
    argv = [...userns, '--mount', '--propagation', 'private', '--', 'sh', '-c',
      'mount --bind "$0" /run/mysqld && exec "$@"', state.mariadbSocketDir, ...ex.command];
  }
  const child = spawn(file, argv, {
    env,
    cwd: ex.workdir ?? '/',
    stdio: [ex.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 15)));
}

const [sub, ...rest] = args;
switch (sub) {
  case 'exec': await cmdExec(rest); break;
  case 'inspect': cmdInspect(rest); break;
  case 'container':
    if (rest[0] === 'inspect') cmdInspect(rest.slice(1));
    else if (rest[0] === 'ls') cmdPs(rest.slice(1));
    else fail(`${program} container ${rest[0]}: not supported by the test shim`);
    break;
  case 'ps': cmdPs(rest); break;
  case '--version': case 'version':
    process.stdout.write(`${program === 'podman' ? 'podman version 4.3.1' : 'Docker version 24.0.7, build afdd53b'}\n`);
    break;
  default:
    fail(`${program}: '${sub}' is not a ${program} command (test shim).`);
}
