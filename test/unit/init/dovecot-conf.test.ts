/**
 * Dovecot's includes followed as Dovecot does (src/init/dovecot-conf.ts), on the fixture in
 * test/fixtures/dovecot-include: `!include conf.d/*.conf` in place, sorted, nested includes
 * relative to the including file, and `!include_try` that matches nothing.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { includedFiles, parseInclude, readDovecotConf } from '../../../src/init/dovecot-conf.js';
import { layoutFromDovecot } from '../../../src/init/dovecot-layout.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/dovecot-include');
let copy: string | undefined;
afterEach(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});
/** A writable copy of the fixture, so a test can add a file. */
function fixtureCopy(): string {
  copy = mkdtempSync(join(tmpdir(), 'mb-dovecot-'));
  cpSync(FIXTURE, copy, { recursive: true });
  return copy;
}

describe('Dovecot include directives', () => {
  it('parses !include and !include_try, quoted or not', () => {
    expect(parseInclude('!include conf.d/*.conf')).toEqual({ pattern: 'conf.d/*.conf', optional: false });
    expect(parseInclude('  !include_try "local.conf"')).toEqual({ pattern: 'local.conf', optional: true });
    expect(parseInclude('# !include x.conf')).toBeUndefined();
    expect(parseInclude('mail_location = maildir:~')).toBeUndefined();
  });

  it('a glob matches relative to the including directory, sorted by byte order, files only', () => {
    const names = includedFiles('conf.d/*.conf', FIXTURE, FIXTURE).map((f) => f.slice(FIXTURE.length + 1));
    expect(names).toEqual(['conf.d/10-auth.conf', 'conf.d/10-mail.conf', 'conf.d/90-plugin.conf']);
    expect(includedFiles('/etc/dovecot/conf.d/9*.conf', '/elsewhere', FIXTURE).map((f) => f.slice(FIXTURE.length + 1))).toEqual(['conf.d/90-plugin.conf']);
    expect(includedFiles('/usr/share/dovecot/protocols.d/*.protocol', FIXTURE, FIXTURE)).toEqual([]);
  });

  it('reads dovecot.conf with each include in place, nested ones too; !include_try of nothing is fine', () => {
    const files = readDovecotConf(FIXTURE, join(FIXTURE, '..'));
    expect(files.map((f) => f.path)).toEqual([
      'dovecot-include/dovecot.conf',
      'dovecot-include/conf.d/10-auth.conf',
      'dovecot-include/conf.d/auth-static.conf.ext',
      'dovecot-include/conf.d/10-mail.conf',
      'dovecot-include/conf.d/90-plugin.conf',
    ]);
    // conf.d/10-mail.conf comes after dovecot.conf's setting, its home from the nested .conf.ext
    expect(layoutFromDovecot(files)).toMatchObject({ layout: '%d/%n/Maildir', prefix: '/srv/homes' });
  });

  it('a setting after an include wins over the included one, as in Dovecot', () => {
    const dir = fixtureCopy();
    writeFileSync(join(dir, 'local.conf'), 'mail_location = maildir:/var/mail/vmail/%d/%n\n');
    const files = readDovecotConf(dir, dir);
    expect(files.map((f) => f.path)).toContain('local.conf');
    expect(layoutFromDovecot(files)).toEqual({ layout: '%d/%n', prefix: '/var/mail/vmail', from: ['local.conf: mail_location = maildir:/var/mail/vmail/%d/%n'] });
  });

  it('an include loop is read once, not forever', () => {
    const dir = fixtureCopy();
    writeFileSync(join(dir, 'local.conf'), '!include dovecot.conf\n');
    const paths = readDovecotConf(dir, dir).map((f) => f.path);
    expect(paths).toEqual(['dovecot.conf', 'conf.d/10-auth.conf', 'conf.d/auth-static.conf.ext', 'conf.d/10-mail.conf', 'conf.d/90-plugin.conf']);
  });
});
