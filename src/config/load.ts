/**
 * Finds, parses and validates the config file. Every problem becomes a ConfigError (exit 78)
 * naming the file, the key, the value found and what was expected.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodIssue } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/mailbackup/config.yml';

export function configPath(explicit?: string): string {
  return explicit ?? process.env.MAILBACKUP_CONFIG ?? DEFAULT_CONFIG_PATH;
}

function valueAt(obj: unknown, keys: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function describeIssue(raw: unknown, issue: ZodIssue): string {
  const key = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${key}.` : '';
    return `unknown key ${issue.keys.map((k) => prefix + k).join(', ')} (a typo? unknown keys are refused so nothing is silently skipped)`;
  }
  const value = valueAt(raw, issue.path);
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  return `${key}: found ${shown}, expected ${issue.message.replace(/^Expected /, '').toLowerCase()}`;
}

export function parseConfig(raw: unknown, file = '(config)'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${describeIssue(raw, i)}`);
    throw new ConfigError(`invalid configuration in ${file}:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadConfig(explicit?: string): Config & { file: string } {
  const file = configPath(explicit);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `config file ${file} does not exist: pass --config FILE, set MAILBACKUP_CONFIG, or run \`mailbackup init\``
        : `cannot read config file ${file}: ${(err as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return { ...parseConfig(raw, file), file };
}

/** A path under source.root unless absolute. */
export function sourcePath(config: Config, p: string): string {
  return isAbsolute(p) ? p : resolve(config.source.root, p);
}
