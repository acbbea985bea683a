import { describe, expect, it } from 'vitest';
import { completionFor } from '../../../src/cli/complete.js';
import { buildProgram } from '../../../src/cli/program.js';

const program = buildProgram(async () => {});
const complete = (...typed: string[]) => completionFor(program, typed);

describe('completionFor', () => {
  it('completes commands and subcommands, without the hidden __complete or help', () => {
    const top = complete('');
    expect(top).toMatchObject({ kind: 'words' });
    expect(top.kind === 'words' && top.words).toEqual(['backup', 'rotate', 'verify', 'list', 'status', 'report', 'find', 'index', 'restore', 'drill', 'offsite', 'unlock', 'init', 'schedule']);
    expect(complete('restore', 'm')).toEqual({ kind: 'words', words: ['mail'] });
    expect(complete('offsite', 'p')).toEqual({ kind: 'words', words: ['push'] });
  });

  it("completes a command's options and the global ones after a global option with its value", () => {
    expect(complete('backup', '--dr')).toEqual({ kind: 'words', words: ['--dry-run'] });
    expect(complete('--config', '/etc/x.yml', 'restore', 'mail', '--s')).toEqual({ kind: 'words', words: ['--snapshot', '--subject', '--since'] });
    expect(complete('list', '--j')).toEqual({ kind: 'words', words: ['--json'] });
  });

  it('completes values: choices, snapshots, files and directories', () => {
    expect(complete('--progress', 'j')).toEqual({ kind: 'words', words: ['json'] });
    expect(complete('restore', 'files', '--component', '')).toEqual({ kind: 'words', words: ['config', 'ssl', 'dkim', 'logs'] });
    expect(complete('restore', 'mail', '--snapshot', 'da')).toEqual({ kind: 'snapshots', prefix: 'da', fixed: ['latest'] });
    expect(complete('verify', '--full', '')).toEqual({ kind: 'snapshots', prefix: '', fixed: ['latest'] });
    expect(complete('offsite', 'push', 'w')).toEqual({ kind: 'snapshots', prefix: 'w', fixed: ['latest'] });
    expect(complete('--config', '')).toEqual({ kind: 'files' });
    expect(complete('restore', 'all', '--to', '/sr')).toEqual({ kind: 'dirs' });
    // the value typed after --user is no command: the next word is still an option of `restore mail`
    expect(complete('restore', 'mail', '--user', 'mail', '--in-p')).toEqual({ kind: 'words', words: ['--in-place'] });
  });

  it('offers nothing where free text goes', () => {
    expect(complete('restore', 'mail', '--user', '')).toEqual({ kind: 'words', words: [] });
    expect(complete('list', '')).toEqual({ kind: 'words', words: [] });
  });
});
