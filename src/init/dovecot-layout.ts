/**
 * The mailbox layout as Dovecot's own config states it: `mail_location` (2.3) or `mail_path`
 * (2.4), with `~` meaning the home from `mail_home` or a userdb `home=`. Pure: dovecot-conf.ts reads
 * the files in Dovecot's include order, and the last setting wins.
 */
import { LAYOUT_PATTERN } from '../mailbox/layout.js';

export interface ConfFile {
  /** as shown to the admin, e.g. config/dovecot/dovecot.conf */
  path: string;
  text: string;
}

export interface Setting {
  value: string;
  /** "config/dovecot/dovecot.conf: mail_location = maildir:/var/mail/vmail/%d/%n" */
  where: string;
}

export type DovecotLayout =
  | { layout: string; /** the path before the template, inside the container (…/vmail) */ prefix: string; from: string[] }
  | { layout?: undefined; problem: string; from: string[] };

function lastSetting(files: ConfFile[], re: RegExp): Setting | undefined {
  let found: Setting | undefined;
  for (const f of files) {
    for (const raw of f.text.split('\n')) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      const m = re.exec(line);
      if (m) found = { value: m[1].trim().replace(/^"(.*)"$/, '$1'), where: `${f.path}: ${line}` };
    }
  }
  return found;
}

/** %Ln, %{user | username}, %{domain} … → the %d / %u / %n of the layout grammar. */
export function normalizeVariables(path: string): string {
  return path
    .replace(/%\{\s*user\s*\|\s*domain[^}]*\}/g, '%d')
    .replace(/%\{\s*user\s*\|\s*username[^}]*\}/g, '%n')
    .replace(/%\{\s*domain[^}]*\}/g, '%d')
    .replace(/%\{\s*username[^}]*\}/g, '%n')
    .replace(/%\{\s*user[^}]*\}/g, '%u')
    .replace(/%[LU]*([dun])/g, '%$1');
}

/** "maildir:/var/mail/vmail/%d/%n:INDEX=…" → the path; undefined for another mail format. */
function maildirPath(location: string): string | undefined {
  const m = /^maildir:([^:]+)/.exec(location);
  return m ? m[1] : undefined;
}

export function layoutFromDovecot(files: ConfFile[]): DovecotLayout {
  const location = lastSetting(files, /^mail_location\s*=\s*(.+)$/);
  const driver = lastSetting(files, /^mail_driver\s*=\s*(.+)$/);
  const mailPath = lastSetting(files, /^mail_path\s*=\s*(.+)$/);
  const home = lastSetting(files, /^mail_home\s*=\s*(.+)$/) ?? lastSetting(files, /(?:^|\s)home=(\S+)/) ?? lastSetting(files, /'([^']+)'\s+AS\s+home\b/i);
  const from: string[] = [];
  let path: string | undefined;
  if (location) {
    from.push(location.where);
    path = maildirPath(location.value);
    if (path === undefined) return { problem: `mail_location "${location.value}" is not a maildir`, from };
  } else if (mailPath) {
    from.push(...(driver ? [driver.where] : []), mailPath.where);
    if (driver && driver.value !== 'maildir') return { problem: `mail_driver "${driver.value}" is not maildir`, from };
    path = mailPath.value;
  } else {
    return { problem: 'no mail_location or mail_path setting', from };
  }
  if (path.startsWith('~')) {
    if (!home) return { problem: `the mail path ${path} is in the home, and no mail_home or userdb home= says where homes are`, from };
    from.push(home.where);
    path = home.value.replace(/\/+$/, '') + path.slice(1);
  }
  const segments = normalizeVariables(path).replace(/\/+$/, '').split('/');
  const first = segments.findIndex((s) => s.includes('%'));
  const layout = first < 0 ? '' : segments.slice(first).join('/');
  if (!LAYOUT_PATTERN.test(layout)) return { problem: `the mail path ${path} is not one of the layouts %d/%u, %d/%n, %u, %n (+ /Maildir)`, from };
  return { layout, prefix: segments.slice(0, first).join('/'), from };
}
