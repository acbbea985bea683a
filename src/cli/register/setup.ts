/** unlock, init, schedule and the hidden __complete: setting up and looking after an installation. */
import { Option } from 'commander';
import type { Registrar } from './shared.js';

export function registerSetupCommands({ program, sub, action }: Registrar): void {
  sub(
    'unlock',
    'remove a lock a run cannot take over by itself\n\n' +
      'A lock written on another machine (the disk was moved between servers) is never taken over silently. ' +
      'This shows the holder of the destination lock, of reader locks and of deletion intents that are not alive here, and why, ' +
      'then asks: type "yes" on a terminal, or pass --yes. A mailbackup run alive on this machine is never ' +
      'unlocked (exit 75).',
  )
    .option('--yes', 'remove without a prompt (cron, scripts)')
    .action(action('unlock', () => import('../../commands/unlock.js')));

  sub(
    'init',
    'write a config from the compose project and prepare the destination\n\n' +
      'Reads the compose file under --source-root for the MariaDB and Dovecot containers and the host ' +
      'paths of the mail, certbot and OpenDKIM volumes, writes a commented config (mode 0600; an existing ' +
      'one is kept without --force), creates the destination marker (0700) and prints a checklist: ' +
      'rsync, the database container and its dump client, the credentials file, the mount point.',
    'write a config and prepare the destination',
  )
    .option('--source-root <dir>', 'the compose project directory')
    .option('--destination <dir>', 'backup destination root')
    .option('--write-config <file>', 'where to write the config (default: --config path)')
    .option('--force', 'overwrite an existing config file')
    .option('--credentials-file <file>', 'MariaDB credentials file to put in the config (default /root/.my.cnf)')
    .option('--require-mountpoint <dir>', 'mount point of the backup disk (default: the one holding --destination)')
    .addOption(new Option('--runtime <runtime>', 'container runtime (default: docker if installed, else podman)').choices(['docker', 'podman', 'host']))
    .option('--log-dir <dir>', 'log directory to put in the config (default /var/log/mailbackup)')
    .option('--notify-to <addresses>', 'comma-separated addresses for failure mail')
    .option('--dry-run', 'print the config and the checklist, write nothing')
    .action(action('init', () => import('../../commands/init.js')));

  sub(
    'schedule',
    'print or install the cron lines or systemd units\n\n' +
      'Daily backup 03:00, weekly Sunday 04:00, hourly status --notify, monthly status --smart, the weekly report ' +
      'mailed Monday 07:00, quarterly drill, a weekly rolling offsite check when `offsite:` is configured, all with the real path of this program and --config. --install writes /etc/cron.d/mailbackup ' +
      'or /etc/systemd/system/mailbackup-*.{service,timer} and prints how to enable them.',
  )
    .option('--cron', 'cron format (default)')
    .option('--systemd', 'systemd service and timer units')
    .option('--install', 'write /etc/cron.d/mailbackup or the units')
    .option('--root <dir>', 'with --install: write under this directory instead of / (default $MAILBACKUP_INSTALL_ROOT)')
    .action(action('schedule', () => import('../../commands/schedule.js')));

  // the bash and zsh completion scripts ask this (src/cli/complete.ts); not in --help or the man pages
  program
    .command('__complete', { hidden: true })
    .description('print completions for the last of WORDS')
    .argument('[words...]', 'the words typed after `mailbackup`')
    .allowUnknownOption()
    .helpOption(false)
    .action(action('__complete', () => import('../../commands/complete.js')));
}
