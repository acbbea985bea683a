/**
 * What every command receives: the global options, a lazily loaded config, the run's logger,
 * an abort signal fired by SIGINT/SIGTERM, and the output channel (human text or --json).
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createRunLog, type RunLog } from '../log/logger.js';
import { createProgress, progressMode, type Progress, type ProgressRequest } from '../log/progress.js';
import { onSpawn, setPriority } from '../tools/shell.js';
import type { Level } from 'pino';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  quiet?: boolean;
  logLevel?: Level;
  progress?: ProgressRequest;
}

export interface Context {
  global: GlobalOptions;
  command: string;
  signal: AbortSignal;
  /** loads and validates the config on first use (ConfigError → exit 78) */
  config(): Config & { file: string };
  /** the run's logger; created after the config so it writes to config.log.dir */
  runLog(): RunLog;
  /** live progress on stderr: a line on a terminal, NDJSON with --progress=json, else nothing */
  progress(): Progress;
  /** prints the command's result: `data` as JSON with --json, else `human` lines */
  result(data: unknown, human: string | string[]): void;
}

export function createContext(global: GlobalOptions, command: string, signal: AbortSignal): Context {
  let config: (Config & { file: string }) | undefined;
  let runLog: RunLog | undefined;
  let progress: Progress | undefined;
  const ctx: Context = {
    global,
    command,
    signal,
    config() {
      if (!config) {
        config = loadConfig(global.config);
        setPriority(config.priority);
      }
      return config;
    },
    runLog() {
      if (!runLog) {
        let dir: string | undefined;
        let level: Level | undefined = global.logLevel;
        try {
          const c = ctx.config();
          dir = c.log.dir;
          level ??= c.log.level;
        } catch {
          /* commands that fail on config still get a terminal logger */
        }
        const p = ctx.progress();
        const human = { write: (s: string) => p.print(s.replace(/\n$/, '')), isTTY: process.stderr.isTTY };
        runLog = createRunLog({ dir, level, quiet: global.quiet, human });
        const log = runLog.log;
        onSpawn(({ file, args }) => log.debug({ file, args }, 'spawn'));
        log.info({ command, argv: process.argv.slice(2), terminal: false }, 'start');
      }
      return runLog;
    },
    progress() {
      const mode = progressMode({ request: global.progress, quiet: global.quiet, isTTY: process.stderr.isTTY, term: process.env.TERM });
      progress ??= createProgress(mode, process.stderr);
      return progress;
    },
    result(data, human) {
      progress?.close(); // the result goes below finished phases, never into a live line
      if (global.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      else if (!global.quiet || (Array.isArray(human) ? human.length : human)) {
        const text = Array.isArray(human) ? human.join('\n') : human;
        if (text && !global.quiet) process.stdout.write(text + '\n');
      }
    },
  };
  return ctx;
}
