#!/usr/bin/env bash
# Installs the programs the tests (and, with --bench, the benchmark) run for real: rsync,
# MariaDB server and client, doveadm, smartctl, openssl, mkfs.ext4, unshare/mount, acl, attr,
# gzip, coreutils, the packaging tools (dpkg-deb, rpmbuild, man, bash-completion), and a container
# runtime: podman with runc, mmdebstrap to build its images from Debian packages, and the Docker
# CLI (which talks to podman's API; its daemon is never used). A fast no-op when everything is
# there. As root it installs what is missing with apt-get (Debian/Ubuntu) or dnf (Rocky/RHEL), one
# line per step, the package manager's output in a log file (MAILBACKUP_DEPS_LOG, default
# /var/log/mailbackup-system-deps.log); otherwise it prints the exact list and exits 1.
set -euo pipefail

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    -h|--help) echo "usage: $0 [--bench]"; exit 0 ;;
    *) echo "install-system-deps: unknown option $arg (usage: $0 [--bench])" >&2; exit 64 ;;
  esac
done

# command:debian-package:rpm-package
needs=(
  rsync:rsync:rsync
  mariadbd:mariadb-server:mariadb-server
  mariadb-install-db:mariadb-server:mariadb-server
  mariadb:mariadb-client:mariadb
  mariadb-dump:mariadb-client:mariadb
  doveadm:dovecot-core:dovecot
  dovecot-imap:dovecot-imapd:dovecot
  smartctl:smartmontools:smartmontools
  openssl:openssl:openssl
  mkfs.ext4:e2fsprogs:e2fsprogs
  unshare:util-linux:util-linux
  losetup:util-linux:util-linux
  fsfreeze:util-linux:util-linux
  script:bsdutils:util-linux
  python3:python3:python3
  setfacl:acl:acl
  getfattr:attr:attr
  gzip:gzip:gzip
  sha256sum:coreutils:coreutils
  systemd-analyze:systemd:systemd
  logrotate:logrotate:logrotate
  restic:restic:restic
  rclone:rclone:rclone
  /usr/lib/openssh/sftp-server:openssh-sftp-server:openssh-server
  tmux:tmux:tmux
  zsh:zsh:zsh
  dpkg-deb:dpkg:dpkg
  rpmbuild:rpm:rpm-build
  man:man-db:man-db
  /usr/share/bash-completion/bash_completion:bash-completion:bash-completion
  podman:podman:podman
  runc:runc:runc
  mmdebstrap:mmdebstrap:mmdebstrap
  docker:docker.io:podman-docker
)
if [ "$bench" = 1 ]; then
  needs+=(rsnapshot:rsnapshot:rsnapshot hyperfine:hyperfine:hyperfine /usr/bin/time:time:time)
fi

have() {
  # Dovecot's IMAP server is no command on PATH: look where Debian and Rocky keep it.
  # a data file (bash-completion's loader), not a program
  if [ "$1" = /usr/share/bash-completion/bash_completion ]; then [ -f "$1" ]; return; fi
  if [ "$1" = dovecot-imap ]; then [ -x /usr/lib/dovecot/imap ] || [ -x /usr/libexec/dovecot/imap ]; return; fi
  # sbin programs are not on a normal user's PATH but are still installed.
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ||
    # sftp-server: Debian's path is listed, RHEL keeps it in /usr/libexec/openssh
    { [ "$1" = /usr/lib/openssh/sftp-server ] && [ -x /usr/libexec/openssh/sftp-server ]; }
}

if command -v apt-get >/dev/null 2>&1; then manager=apt; col=2
elif command -v dnf >/dev/null 2>&1; then manager=dnf; col=3
else manager=none; col=2
fi

missing=()
for entry in "${needs[@]}"; do
  cmd=${entry%%:*}
  pkg=$(echo "$entry" | cut -d: -f"$col")
  if ! have "$cmd"; then
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || [ "$manager" = none ]; then
  echo "install-system-deps: missing programs; install these packages (as root):" >&2
  case "$manager" in
    dnf) echo "  dnf install -y ${missing[*]}" >&2 ;;
    *) echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2 ;;
  esac
  exit 1
fi

# The package manager's own output (pages of it on a fresh machine) goes to a log file: the
# terminal gets one line per step, and the log's last lines when a step fails.
log=${MAILBACKUP_DEPS_LOG:-/var/log/mailbackup-system-deps.log}
step() { # step WHAT COMMAND ARGS...
  local what=$1 start=$SECONDS rc=0
  shift
  printf 'install-system-deps: %s ... ' "$what" >&2
  echo "=== $(date -u +%FT%TZ) $what: $*" >>"$log"
  "$@" >>"$log" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then echo "done ($((SECONDS - start)) s)" >&2; return; fi
  echo "FAILED (exit $rc); the last lines of $log:" >&2
  tail -n 15 "$log" | sed 's/^/  /' >&2
  exit "$rc"
}

echo "install-system-deps: installing ${missing[*]} (full log: $log)" >&2
if [ "$manager" = apt ]; then
  export DEBIAN_FRONTEND=noninteractive
  # wait for another apt run (a test run installing the same) instead of failing on its lock
  lock=(-o DPkg::Lock::Timeout=600)
  step "apt-get update" apt-get "${lock[@]}" update
  step "apt-get install (${#missing[@]} packages and what they need)" apt-get "${lock[@]}" install -y --no-install-recommends "${missing[@]}"
else
  # restic, rsnapshot and hyperfine live in EPEL on Rocky.
  if [ "$bench" = 1 ] && ! rpm -q epel-release >/dev/null 2>&1; then step "dnf install epel-release" dnf install -y epel-release; fi
  step "dnf install (${#missing[@]} packages and what they need)" dnf install -y "${missing[@]}"
fi

still=()
for entry in "${needs[@]}"; do
  have "${entry%%:*}" || still+=("${entry%%:*}")
done
if [ ${#still[@]} -gt 0 ]; then
  echo "install-system-deps: still missing after install: ${still[*]}" >&2
  exit 1
fi
