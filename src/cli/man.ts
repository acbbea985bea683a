/**
 * Man pages (roff) from the commander program, one per command: the same usage, descriptions,
 * options and help texts (exit status, locking) as `--help`, so the two cannot drift. Pure.
 */
import type { Command, Help } from 'commander';

export interface ManPage {
  /** e.g. mailbackup-restore-mail.1 */
  file: string;
  text: string;
}

/**
 * roff-safe text: backslashes and hyphens escaped, no line starting with a control character,
 * and anything outside ASCII (the `…` of the help texts) as a \[uXXXX] glyph: troff reads bytes.
 */
export function roff(s: string): string {
  return s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/[\u{80}-\u{10ffff}]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

const visible = (help: Help, cmd: Command) => help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
const path = (cmd: Command): string[] => (cmd.parent ? [...path(cmd.parent), cmd.name()] : [cmd.name()]);
const pageName = (cmd: Command) => path(cmd).join('-');

/** A list of term/description pairs (.TP entries). */
const list = (items: [string, string][]) => items.flatMap(([term, desc]) => ['.TP', `.B ${roff(term)}`, roff(desc)]);

/** What `--help` prints after the generated part (addHelpText 'after'), captured as text. */
function afterText(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => 1000 });
  cmd.outputHelp();
  return out.slice(cmd.helpInformation().length);
}

/** `Heading:` blocks of the after-help text become sections; their indented lines, a list. */
export function helpSections(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean)) {
    const [first, ...rest] = block.split('\n');
    const m = /^([A-Z][A-Za-z ]*):\s*(.*)$/.exec(first);
    out.push(`.SH ${m ? m[1].toUpperCase() : 'NOTES'}`);
    const body = m ? [m[2], ...rest].filter(Boolean) : [first, ...rest];
    const items = body.map((l) => /^\s+(\S+)\s+(.*)$/.exec(l));
    if (!m?.[2] && items.every(Boolean)) out.push(...list(items.map((i) => [i![1], i![2]])));
    else out.push(roff(body.join(' ')));
  }
  return out;
}

function page(cmd: Command, program: Command, o: { version: string; date: string }): ManPage {
  const help = cmd.createHelp();
  const name = pageName(cmd);
  const description = cmd.description() || cmd.summary();
  const summary = cmd.summary() || description.split('\n')[0];
  const lines = [
    `.TH ${roff(name.toUpperCase())} 1 "${o.date}" "mailbackup ${roff(o.version)}" "mailbackup manual"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(summary)}`,
    '.SH SYNOPSIS',
    `.B ${roff(help.commandUsage(cmd))}`,
    '.SH DESCRIPTION',
    ...description.split(/\n\s*\n/).flatMap((p, i) => (i ? ['.PP', roff(p.trim())] : [roff(p.trim())])),
  ];
  const args = help.visibleArguments(cmd);
  if (args.length) lines.push('.SH ARGUMENTS', ...list(args.map((a) => [help.argumentTerm(a), help.argumentDescription(a)])));
  const opts = help.visibleOptions(cmd);
  if (opts.length) lines.push('.SH OPTIONS', ...list(opts.map((op) => [help.optionTerm(op), help.optionDescription(op)])));
  if (cmd !== program) {
    const globals = help.visibleOptions(program).filter((op) => op.long !== '--help');
    lines.push('.SH GLOBAL OPTIONS', ...list(globals.map((op) => [help.optionTerm(op), help.optionDescription(op)])));
  }
  const subs = visible(help, cmd);
  if (subs.length) {
    lines.push('.SH COMMANDS', ...list(subs.map((s) => [help.subcommandTerm(s), `${help.subcommandDescription(s)}: see ${pageName(s)}(1)`])));
  }
  lines.push(...helpSections(afterText(cmd)));
  const related = [...(cmd.parent ? [pageName(cmd.parent)] : []), ...subs.map(pageName)];
  lines.push('.SH SEE ALSO', roff([...related.map((r) => `${r}(1)`), 'the documentation in /usr/share/doc/mailbackup/'].join(', ')));
  return { file: `${name}.1`, text: lines.join('\n') + '\n' };
}

/** Every page: `mailbackup(1)` and one per visible command and subcommand. */
export function renderManPages(program: Command, o: { version: string; date: string }): ManPage[] {
  const walk = (cmd: Command): Command[] => [cmd, ...visible(cmd.createHelp(), cmd).flatMap(walk)];
  return walk(program).map((cmd) => page(cmd, program, o));
}
