/**
 * The package metadata and maintainer scripts, rendered for dpkg (DEBIAN/control, conffiles,
 * postinst, prerm, postrm) and for rpmbuild (a spec whose %install copies a staged tree). The
 * dependencies and the scripts' bodies are written once, here, for both. Pure.
 */
import { timerNames } from '../schedule/systemd.js';
import { OWNED_DIRS, type Entry } from './layout.js';

const SUMMARY = 'Backup and restore for a Docker Compose mail server onto an external disk';
const DESCRIPTION = [
  'mailbackup backs up and restores a self-hosted mail server that runs under Docker Compose',
  '(Postfix, Dovecot maildirs, MariaDB, OpenDKIM, Let\'s Encrypt) onto an external disk:',
  'hardlinked, verified snapshots readable with coreutils, transaction-consistent dumps,',
  'restores, a recovery drill, status checks and systemd timers (installed, not enabled).',
];
const MAINTAINER = 'mailbackup maintainers <root@localhost>';

/** Node >= 20.5 (package.json engines). Rocky's and Fedora's nodejs carry epoch 1: without it, 1:16 would satisfy ">= 20.5". */
const REQUIRES = {
  deb: ['nodejs (>= 20.5)', 'rsync', 'gzip', 'util-linux'],
  rpm: ['nodejs >= 1:20.5', 'rsync', 'gzip', 'util-linux'],
};
const RECOMMENDS = ['restic', 'smartmontools'];

const SYSTEMD = 'if [ -d /run/systemd/system ]; then';
/** After install or upgrade: systemd sees the new units. Nothing is enabled or started. */
const reload = `${SYSTEMD} systemctl daemon-reload >/dev/null 2>&1 || true; fi`;
/** Before removal (not upgrade): timers the admin enabled stop calling a program about to go. */
const disableTimers = `${SYSTEMD} systemctl --no-reload disable --now ${timerNames().join(' ')} >/dev/null 2>&1 || true; fi`;

export interface DebianFiles {
  control: string;
  conffiles: string;
  postinst: string;
  prerm: string;
  postrm: string;
}

export function renderDebian(o: { version: string; installedKiB: number; entries: Entry[] }): DebianFiles {
  const script = (when: string, body: string) => `#!/bin/sh\nset -e\ncase "$1" in\n  ${when}) ${body} ;;\nesac\nexit 0\n`;
  return {
    control: [
      'Package: mailbackup',
      `Version: ${o.version}`,
      'Architecture: all',
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${o.installedKiB}`,
      `Depends: ${REQUIRES.deb.join(', ')}`,
      `Recommends: ${RECOMMENDS.join(', ')}`,
      'Suggests: bash-completion',
      'Section: admin',
      'Priority: optional',
      `Description: ${SUMMARY.toLowerCase()}`,
      ...DESCRIPTION.map((l) => ` ${l}`),
      '',
    ].join('\n'),
    conffiles: o.entries.filter((e) => e.conffile).map((e) => e.path).join('\n') + '\n',
    postinst: script('configure', reload),
    prerm: script('remove', disableTimers),
    postrm: script('remove|purge', reload),
  };
}

function fileLine(e: Entry): string {
  if (e.symlink) return e.path;
  const attr = `%attr(${e.mode.toString(8).padStart(4, '0')},root,root)`;
  return [attr, e.conffile ? '%config(noreplace)' : '', e.doc ? '%doc' : '', e.path].filter(Boolean).join(' ');
}

/** The spec: %install copies the staged tree (STAGE), %files lists exactly the entries. */
export function renderRpmSpec(o: { version: string; stage: string; entries: Entry[] }): string {
  return [
    'Name: mailbackup',
    `Version: ${o.version}`,
    'Release: 1',
    `Summary: ${SUMMARY}`,
    'License: MIT',
    'BuildArch: noarch',
    // the requirements are the declared ones only (not /usr/bin/node from the shebang)
    'AutoReqProv: no',
    ...REQUIRES.rpm.map((r) => `Requires: ${r}`),
    ...RECOMMENDS.map((r) => `Recommends: ${r}`),
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '',
    '%description',
    ...DESCRIPTION,
    '',
    '%install',
    `cp -a ${o.stage}/. %{buildroot}/`,
    '',
    '%post',
    reload,
    '',
    '%preun',
    // $1 is the number of versions left: 0 on erase, 1 on upgrade
    `if [ "$1" -eq 0 ]; then ${disableTimers}; fi`,
    '',
    '%postun',
    reload,
    '',
    '%files',
    ...OWNED_DIRS.map((d) => `%dir %attr(${d.mode.toString(8).padStart(4, '0')},root,root) ${d.path}`),
    ...o.entries.map(fileLine),
    '',
  ].join('\n');
}
