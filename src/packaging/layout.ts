/**
 * What the .deb and the .rpm install, as data: path, mode, where the content comes from, and
 * whether it is a config file an upgrade must not overwrite. Both packages are built from this
 * one list, so they hold the same files (only zsh's completion directory differs). Pure.
 */
import type { ManPage } from '../cli/man.js';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { JOBS } from '../schedule/jobs.js';
import { renderUnits } from '../schedule/systemd.js';

export type Target = 'deb' | 'rpm';

export interface Entry {
  /** absolute path on the installed system */
  path: string;
  mode: number;
  /** content: a file of the source tree (relative to it), generated text, or a symlink target */
  from?: string;
  text?: string;
  symlink?: string;
  /** gzip it (man pages) */
  gzip?: boolean;
  /** %config(noreplace) / DEBIAN/conffiles: an edited copy survives upgrades */
  conffile?: boolean;
  doc?: boolean;
}

/** The program itself: the single-file build, with a shebang so it can be run (and scheduled) as is. */
export const PROGRAM = '/usr/lib/mailbackup/mailbackup.mjs';
const UNIT_DIR = '/usr/lib/systemd/system';
const DOC_DIR = '/usr/share/doc/mailbackup';
const ZSH_DIR: Record<Target, string> = {
  deb: '/usr/share/zsh/vendor-completions', // in Debian's default fpath
  rpm: '/usr/share/zsh/site-functions', // in Fedora's and Rocky's
};

/** The packaged units are `schedule --systemd` as the installed program prints it (same renderer). */
export function packagedUnits() {
  return renderUnits([PROGRAM], DEFAULT_CONFIG_PATH, JOBS);
}

/** Directories the package owns (removed with it when empty); the rest belong to the system. */
export const OWNED_DIRS: { path: string; mode: number }[] = [
  { path: '/etc/mailbackup', mode: 0o700 },
  { path: '/usr/lib/mailbackup', mode: 0o755 },
  { path: DOC_DIR, mode: 0o755 },
  { path: `${DOC_DIR}/docs`, mode: 0o755 },
  { path: `${DOC_DIR}/docs/ja`, mode: 0o755 },
];

export function packageEntries(target: Target, o: { manPages: ManPage[]; docs: string[] }): Entry[] {
  return [
    { path: PROGRAM, mode: 0o755, from: 'dist/mailbackup.mjs' },
    { path: '/usr/bin/mailbackup', mode: 0o777, symlink: '../lib/mailbackup/mailbackup.mjs' },
    ...packagedUnits().map((u) => ({ path: `${UNIT_DIR}/${u.name}`, mode: 0o644, text: u.text })),
    { path: '/etc/logrotate.d/mailbackup', mode: 0o644, from: 'config/logrotate.d/mailbackup', conffile: true },
    // the example, not config.yml: `mailbackup init` writes that one, and no package owns it
    { path: '/etc/mailbackup/config.example.yml', mode: 0o600, from: 'config/mailbackup.example.yml', conffile: true },
    ...o.manPages.map((m) => ({ path: `/usr/share/man/man1/${m.file}.gz`, mode: 0o644, text: m.text, gzip: true })),
    { path: '/usr/share/bash-completion/completions/mailbackup', mode: 0o644, from: 'config/completion/mailbackup' },
    { path: `${ZSH_DIR[target]}/_mailbackup`, mode: 0o644, from: 'config/completion/_mailbackup' },
    { path: `${DOC_DIR}/README.md`, mode: 0o644, from: 'README.md', doc: true },
    ...o.docs.map((d) => ({ path: `${DOC_DIR}/${d}`, mode: 0o644, from: d, doc: true })),
    { path: `${DOC_DIR}/copyright`, mode: 0o644, text: COPYRIGHT, doc: true },
  ];
}

const COPYRIGHT = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mailbackup
Source: the mailbackup repository

Files: *
License: MIT
 The bundled program (/usr/lib/mailbackup/mailbackup.mjs) includes its npm dependencies
 (commander, execa, fast-glob, nodemailer, pino, yaml, zod), each under the MIT or ISC license.
`;
