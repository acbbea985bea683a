/**
 * What every command receives: the global options, a lazily loaded config, the run's logger,
 * an abort signal fired by SIGINT/SIGTERM, and the output channel (human text or --json).
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createRunLog, type RunLog } from '../log/logger.js';
import { onSpawn, setPriority } from '../tools/shell.js';
import type { Level } from 'pino';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  quiet?: boolean;
  logLevel?: Level;
}

export interface Context {
  global: GlobalOptions;
  command: string;
  signal: AbortSignal;
  /** loads and validates the config on first use (ConfigError → exit 78) */
  config(): Config & { file: string };
  /** the run's logger; created after the config so it writes to config.log.dir */
  runLog(): RunLog;
  /** prints the command's result: `data` as JSON with --json, else `human` lines */
  result(data: unknown, human: string | string[]): void;
}

export function createContext(global: GlobalOptions, command: string, signal: AbortSignal): Context {
  let config: (Config & { file: string }) | undefined;
  let runLog: RunLog | undefined;
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
        runLog = createRunLog({ dir, level, quiet: global.quiet });
        const log = runLog.log;
        onSpawn(({ file, args }) => log.debug({ file, args }, 'spawn'));
        log.info({ command, argv: process.argv.slice(2), terminal: false }, 'start');
      }
      return runLog;
    },
    result(data, human) {
      if (global.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      else if (!global.quiet || (Array.isArray(human) ? human.length : human)) {
        const text = Array.isArray(human) ? human.join('\n') : human;
        if (text && !global.quiet) process.stdout.write(text + '\n');
      }
    },
  };
  return ctx;
}
