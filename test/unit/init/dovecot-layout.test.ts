import { describe, expect, it } from 'vitest';
import { layoutFromDovecot, normalizeVariables } from '../../../src/init/dovecot-layout.js';

const conf = (...texts: string[]) => texts.map((text, i) => ({ path: i ? `conf.d/${i}.conf` : 'dovecot.conf', text }));

describe('the mailbox layout Dovecot states', () => {
  it.each([
    ['mail_location = maildir:/var/mail/vmail/%d/%u', '%d/%u'],
    ['mail_location = maildir:/var/mail/vmail/%d/%n:INDEX=/var/indexes/%d/%n', '%d/%n'],
    ['mail_location = maildir:/srv/vmail/%Lu', '%u'],
    ['mail_location = "maildir:/var/vmail/%n"', '%n'],
    ['mail_home = /var/vmail/%d/%n\nmail_location = maildir:~/Maildir', '%d/%n/Maildir'],
    ['mail_location = maildir:~/Maildir\nuserdb {\n  driver = static\n  args = uid=vmail gid=vmail home=/var/vmail/%d/%u\n}', '%d/%u/Maildir'],
    ['mail_location = maildir:~\nuserdb {\n  driver = static\n  args = uid=vmail gid=vmail home=/var/vmail/%d/%n\n}', '%d/%n'],
    ['mail_driver = maildir\nmail_path = /var/vmail/%{user | domain}/%{user | username}', '%d/%n'],
    ['mail_driver = maildir\nmail_home = /var/vmail/%{user}\nmail_path = ~/Maildir', '%u/Maildir'],
  ])('%s → %s', (text, layout) => {
    expect(layoutFromDovecot(conf(text))).toMatchObject({ layout });
  });

  it('takes the last setting (conf.d after dovecot.conf) and ignores comments', () => {
    const r = layoutFromDovecot(conf('mail_location = maildir:/var/vmail/%d/%u\n', '#mail_location = maildir:/x/%n\nmail_location = maildir:/var/mail/vmail/%d/%n # docker-mailserver\n'));
    expect(r).toEqual({ layout: '%d/%n', prefix: '/var/mail/vmail', from: ['conf.d/1.conf: mail_location = maildir:/var/mail/vmail/%d/%n'] });
  });

  it('says why when it cannot tell', () => {
    expect(layoutFromDovecot(conf('mail_location = mdbox:~/mdbox'))).toMatchObject({ problem: expect.stringMatching(/not a maildir/) });
    expect(layoutFromDovecot(conf('mail_location = maildir:~/Maildir'))).toMatchObject({ problem: expect.stringMatching(/no mail_home or userdb home/) });
    expect(layoutFromDovecot(conf('protocols = imap'))).toMatchObject({ problem: 'no mail_location or mail_path setting' });
    expect(layoutFromDovecot(conf('mail_location = maildir:/var/vmail/%n/%d'))).toMatchObject({ problem: expect.stringMatching(/not one of the layouts/) });
  });

  it('maps Dovecot variables onto the layout grammar', () => {
    expect(normalizeVariables('/v/%Ld/%Ln')).toBe('/v/%d/%n');
    expect(normalizeVariables('/v/%{domain}/%{username}/%{user}')).toBe('/v/%d/%n/%u');
  });
});
