import { describe, expect, it } from 'vitest';
import { classifyExecFailure, containerDownMessage, parseStartedAt } from '../../../src/tools/container-failure.js';

// The runtimes' own words, as docker 28, podman 4.3 and the Docker CLI on podman's API print them.
const SAID = {
  dockerMissing: [1, 'Error response from daemon: No such container: mailserver-mariadb'],
  podmanMissing: [125, 'Error: no container with name or ID "mailserver-mariadb" found: no such container'],
  dockerOnPodmanMissing: [1, 'Error response from daemon: no container with name or ID "mailserver-mariadb" found: no such container'],
  dockerStopped: [1, 'Error response from daemon: container 3f2a9c is not running'],
  podmanStopped: [255, 'Error: can only create exec sessions on running containers: container state improper'],
  dockerOnPodmanStopped: [1, 'Error response from daemon: can only create exec sessions on running containers: container state improper'],
  dockerRestarting: [1, 'Error response from daemon: Container 3f2a9c is restarting, wait until the container is running'],
  dockerOnPodmanRestarted: [1, 'Error response from daemon: retrieving exec session 98a from container e53: no exec session with ID 98a found in container e53: no such exec session'],
} as const;

describe('classifyExecFailure', () => {
  it.each([
    ['dockerMissing', 'missing'], ['podmanMissing', 'missing'], ['dockerOnPodmanMissing', 'missing'],
    ['dockerStopped', 'stopped'], ['podmanStopped', 'stopped'], ['dockerOnPodmanStopped', 'stopped'],
    ['dockerRestarting', 'restarting'], ['dockerOnPodmanRestarted', 'restarting'],
  ] as const)('%s → %s', (key, state) => {
    const [code, stderr] = SAID[key];
    expect(classifyExecFailure(code, `${stderr}\n`)).toBe(state);
  });

  it("leaves the command's own failures alone: not found (127), not executable (126), its own output", () => {
    expect(classifyExecFailure(127, 'Error: runc: exec failed: unable to start container process: exec: "mysqldump": executable file not found in $PATH')).toBeUndefined();
    expect(classifyExecFailure(126, 'Error: runc: exec failed: exec: "/etc": permission denied')).toBeUndefined();
    expect(classifyExecFailure(2, "mariadb-dump: Got error: 1049: \"Unknown database 'gone'\" when selecting the database")).toBeUndefined();
    // a program quoting the words is not the runtime saying them
    expect(classifyExecFailure(1, "ERROR 1064: near 'is not running' at line 1")).toBeUndefined();
    expect(classifyExecFailure(0, SAID.dockerStopped[1])).toBeUndefined();
  });
});

describe('containerDownMessage', () => {
  it('names the state and how to look, with the runtime the config uses', () => {
    const stopped = containerDownMessage('podman', 'mailserver-mariadb', 'stopped', SAID.podmanStopped[1]);
    expect(stopped).toMatch(/^podman container mailserver-mariadb is not running \(podman said: Error: can only create exec/);
    expect(stopped).toContain('`podman ps -a` and `podman logs mailserver-mariadb`');
    const missing = containerDownMessage('docker', 'mailserver-mariadb', 'missing', SAID.dockerMissing[1]);
    expect(missing).toMatch(/^docker container mailserver-mariadb does not exist/);
    expect(missing).toContain('`docker ps -a`');
    expect(missing).toContain('<project>-<service>-1');
    const restarting = containerDownMessage('docker', 'db', 'restarting', '');
    expect(restarting).toBe('docker container db is restarting and was not back in time; see `docker ps -a` and `docker logs db`');
  });
});

describe('parseStartedAt', () => {
  it("reads docker's ISO time and podman's Go time alike", () => {
    expect(parseStartedAt('2026-12-07T23:05:16.197991322Z')).toBe(Date.UTC(2026, 11, 7, 23, 5, 16, 197));
    expect(parseStartedAt('2026-12-07 23:05:16.197991322 +0000 UTC')).toBe(Date.UTC(2026, 11, 7, 23, 5, 16, 197));
    expect(parseStartedAt('2026-12-08 08:05:16 +0900 JST')).toBe(Date.UTC(2026, 11, 7, 23, 5, 16));
  });
  it('is undefined for a container never started, or no time at all', () => {
    expect(parseStartedAt('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(parseStartedAt('<no value>')).toBeUndefined();
  });
});
