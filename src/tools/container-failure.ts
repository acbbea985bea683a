/**
 * What a failed `docker exec` / `podman exec` means, from the runtime's own words and exit code
 * (pure). Docker answers 1 with "No such container" / "is not running" / "is restarting";
 * podman 125 or 255 with "no such container" / "container state improper"; the Docker CLI in
 * front of podman's API passes podman's words on with exit 1. 126/127 are the command's (not
 * executable / not found) and stay the caller's business.
 */
export type DownState = 'stopped' | 'missing' | 'restarting';

const WORDS: [DownState, RegExp][] = [
  ['missing', /No such container|no container with (name or )?ID .* found|no such object/i],
  // an exec whose container was restarted under it: docker via podman's API loses the session
  ['restarting', /is restarting|no such exec session|container .* is being restarted/i],
  ['stopped', /is not running|container state improper|can only create exec sessions on running containers|is paused/i],
];

export function classifyExecFailure(exitCode: number, stderr: string): DownState | undefined {
  if (exitCode === 0 || exitCode === 126 || exitCode === 127) return undefined;
  // only the runtime's own error lines: a program's output may quote anything
  const own = stderr.split('\n').filter((l) => /^(Error|Error response from daemon):/.test(l.trim())).join('\n');
  for (const [state, re] of WORDS) if (re.test(own)) return state;
  return undefined;
}

/** One sentence per state: what happened, and how to look (docs/operations.md). */
export function containerDownMessage(runtime: string, name: string, state: DownState, detail: string): string {
  const why = detail.trim().split('\n').filter(Boolean).slice(-1)[0];
  const said = why ? ` (${runtime} said: ${why.trim()})` : '';
  const look = `see \`${runtime} ps -a\` and \`${runtime} logs ${name}\``;
  switch (state) {
    case 'missing':
      return `${runtime} container ${name} does not exist${said}; check the container name in the config against \`${runtime} ps -a\` (compose v2 names it <project>-<service>-1 unless the service sets container_name)`;
    case 'stopped':
      return `${runtime} container ${name} is not running${said}; start it (\`docker compose up -d\` in the compose directory) and ${look} for why it stopped`;
    case 'restarting':
      return `${runtime} container ${name} is restarting and was not back in time${said}; ${look}`;
  }
}

/**
 * `{{.State.StartedAt}}`: ISO 8601 from docker (and podman's Docker API), Go's time format from
 * podman ("2026-12-07 23:05:16.197991322 +0000 UTC"). Undefined when unreadable.
 */
export function parseStartedAt(s: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?/.exec(s.trim());
  if (!m) return undefined;
  const frac = m[3] ? m[3].slice(0, 4) : '';
  const zone = !m[4] || m[4] === 'Z' ? 'Z' : m[4].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
}
