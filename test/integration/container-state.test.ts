/**
 * src/tools/container.ts against the real runtimes: what `podman exec` and the Docker CLI (on
 * podman's API) answer for a missing, stopped or restarted container is classified as exactly
 * that, and an exec killed by a restart (plain exit 137 from podman, no words) is recognised by
 * asking the runtime when the container last started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerDown, downSince, execIn, type ContainerTarget } from '../../src/tools/container.js';
import { containerName } from '../helpers/container-services.js';
import { images, runtimeEnv, sh, type RealRuntime } from '../helpers/containers.js';
import { waitFor } from '../helpers/wait.js';

describe.each<RealRuntime>(['podman', 'docker'])('%s exec against a real container', (runtime) => {
  const name = containerName('state');
  const t: ContainerTarget = { runtime, container: name };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [k, v] of Object.entries(runtimeEnv)) {
      saved[k] = process.env[k];
      process.env[k] = v; // the code under test spawns the CLI with this process's environment
    }
    const { dovecot } = await images();
    const r = await sh('podman', ['run', '-d', '--name', name, '--network', 'none', dovecot, 'sleep', 'infinity']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await sh('podman', ['rm', '-f', '-t', '0', name]);
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  it('a running container: the command runs, its own failures are not the container being down', async () => {
    expect((await execIn(t, ['true'])).exitCode).toBe(0);
    const notFound = await execIn(t, ['mysqldump', '--version']);
    expect(notFound.exitCode).toBe(127);
    expect(containerDown(t, notFound)).toBeUndefined();
    expect(await downSince(t, Date.now(), '')).toBeUndefined(); // running, not restarted since
  });

  it('an exec killed by a restart is seen as a restart', async () => {
    const since = Date.now();
    const long = execIn(t, ['sleep', '60']);
    // the exec'd process is running in the container (`podman top` lists it) before the restart kills it
    await waitFor(async () => /^sleep 60\s*$/m.test((await sh('podman', ['top', name, 'args'])).stdout), { what: `sleep 60 running in ${name}`, everyMs: 100 });
    expect((await sh('podman', ['restart', '-t', '0', name])).code).toBe(0);
    const r = await long;
    expect(r.exitCode).not.toBe(0);
    const down = containerDown(t, r) ?? (await downSince(t, since, r.stderr));
    expect(down?.state).toBe('restarting');
    expect(down?.message).toContain(`${runtime} container ${name} is restarting`);
  });

  it('a stopped container', async () => {
    expect((await sh('podman', ['stop', '-t', '0', name])).code).toBe(0);
    const r = await execIn(t, ['true']);
    expect(r.exitCode).not.toBe(0);
    expect(containerDown(t, r)?.state).toBe('stopped');
    expect((await downSince(t, 0, ''))?.state).toBe('stopped');
    expect((await sh('podman', ['start', name])).code).toBe(0);
  });

  it('a missing container', async () => {
    const gone: ContainerTarget = { runtime, container: `${name}-gone` };
    const r = await execIn(gone, ['true']);
    expect(containerDown(gone, r)?.state).toBe('missing');
    expect((await downSince(gone, 0, ''))?.state).toBe('missing');
  });
});
