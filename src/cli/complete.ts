/**
 * Shell completion from the commander program itself, so bash, zsh and `--help` never disagree:
 * the shells pass the words typed so far to `mailbackup __complete`, this says what fits the last
 * one. Pure (reads only the command tree); snapshot names are looked up by the caller.
 */
import type { Command, Option } from 'commander';

export type Completion =
  | { kind: 'words'; words: string[] }
  /** snapshot names on the backup disk, plus `fixed` (e.g. `latest`), all starting with `prefix` */
  | { kind: 'snapshots'; prefix: string; fixed: string[] }
  | { kind: 'files' }
  | { kind: 'dirs' };

const visible = (cmd: Command) => cmd.createHelp().visibleCommands(cmd).filter((c) => c.name() !== 'help');

/** The options valid at `cmd`: its own and those of every parent (global options are the root's). */
function optionsAt(cmd: Command): Option[] {
  const all: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) all.push(...c.createHelp().visibleOptions(c));
  return all;
}

const findOption = (cmd: Command, flag: string) => optionsAt(cmd).find((o) => o.long === flag || o.short === flag);

/** What a value slot takes, from its placeholder as `--help` shows it (`<file>`, `<dir>`, `<s>`). */
function valueCompletion(placeholder: string, choices: readonly string[] | undefined, prefix: string): Completion {
  if (choices?.length) return words(choices, prefix);
  if (placeholder === 'snapshot' || placeholder === 's') return { kind: 'snapshots', prefix, fixed: ['latest'] };
  if (placeholder === 'file') return { kind: 'files' };
  if (placeholder === 'dir') return { kind: 'dirs' };
  return { kind: 'words', words: [] };
}

const placeholder = (o: Option) => /<([^>]+)>/.exec(o.flags)?.[1] ?? '';

function words(candidates: readonly string[], prefix: string): Completion {
  return { kind: 'words', words: candidates.filter((w) => w.startsWith(prefix)) };
}

/** `typed`: the words after `mailbackup`, the last being the one to complete (maybe empty). */
export function completionFor(program: Command, typed: string[]): Completion {
  const current = typed.at(-1) ?? '';
  let cmd = program;
  let positional = 0;
  let pending: Option | undefined;
  for (const w of typed.slice(0, -1)) {
    if (pending) {
      pending = undefined;
      continue;
    }
    if (w.startsWith('-')) {
      const opt = w.includes('=') ? undefined : findOption(cmd, w);
      if (opt?.required) pending = opt; // `<value>` follows; `[value]` is optional: not consumed
      continue;
    }
    const sub = visible(cmd).find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) cmd = sub;
    else positional++;
  }
  if (pending) return valueCompletion(placeholder(pending), pending.argChoices, current);
  if (current.startsWith('-')) {
    const flags = optionsAt(cmd).flatMap((o) => (o.long ? [o.long] : []));
    return words([...new Set(flags)], current);
  }
  const subs = visible(cmd);
  if (subs.length) return words(subs.map((c) => c.name()), current);
  const arg = cmd.registeredArguments[positional];
  return arg ? valueCompletion(arg.name(), arg.argChoices, current) : { kind: 'words', words: [] };
}
