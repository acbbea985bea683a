/**
 * Watches every process on the machine while a command runs: the container runtime's CLI,
 * conmon, runc and the processes inside a rootful container all show in the host's /proc.
 * Collects the argv of those that match, and can act the moment one appears (a restart
 * "just as the dump starts").
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcWatch {
  /** every distinct argv seen (NUL-separated args joined with spaces) */
  seen(): string[];
  stop(): Promise<void>;
}

function argvOf(pid: string): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw ? raw.replace(/\0+$/, '').split('\0').join(' ') : undefined;
  } catch {
    return undefined; // gone, or a kernel thread
  }
}

/** Polls /proc every few ms; `onMatch` runs once, for the first argv `trigger` accepts. */
export function watchProcesses(filter: (argv: string) => boolean, trigger?: { when: (argv: string) => boolean; then: () => Promise<unknown> }): ProcWatch {
  const seen = new Set<string>();
  let running = true;
  let fired = false;
  let action: Promise<unknown> = Promise.resolve();
  const loop = (async () => {
    while (running) {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
        const argv = argvOf(pid);
        if (!argv || !filter(argv)) continue;
        seen.add(argv);
        if (trigger && !fired && trigger.when(argv)) {
          fired = true;
          action = trigger.then();
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    seen: () => [...seen],
    async stop() {
      running = false;
      await loop;
      await action;
    },
  };
}
