/**
 * The commander program: global options and every subcommand of docs/commands.md. Command files are
 * loaded only when their command runs, so `--help` and `status` stay fast.
 */
import { Command, Option } from 'commander';
import type { Context } from './context.js';

import { VERSION } from '../util/version.js';

export type CommandModule = { default: (ctx: Context, opts: any, ...args: any[]) => Promise<number> };
export type Dispatch = (name: string, load: () => Promise<CommandModule>, opts: object, args: unknown[]) => Promise<void>;

const EXIT_STATUS = `
Exit status:
  0   OK
  1   completed with warnings
  2   failed, or damage found
  3   could not determine (status, verify)
  64  usage error
  70  internal error (a bug: the message names the log file with the stack trace)
  75  another run holds the lock
  78  configuration error
  130 interrupted (cleaned up)`;

/** How each command locks the destination (src/repository/destination.ts). */
const LOCKING = {
  exclusive:
    '\nLocking: takes the destination lock (.lock) for its whole run; another live run gives exit 75. ' +
    'A lock left by a run that is gone (crash, power cut: an earlier boot, a dead, zombie or reused pid) is ' +
    'taken over with a warning naming it; a lock from another machine needs --force-unlock or `mailbackup unlock`. ' +
    'Snapshots a reader (verify, restore, drill) holds are not deleted: rotation defers them to its next run.',
  shared:
    '\nLocking: holds the snapshot(s) it reads with a reader lock under .readers/, so a rotation that runs ' +
    'meanwhile defers deleting them; it does not wait for, or block, a running backup.',
  check: '\nLocking: none (reads only backup.json and directory names).',
} as const;

export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command('mailbackup')
    .description('Back up and restore a Docker Compose mail server onto an external disk')
    .version(VERSION, '--version')
    .option('--config <file>', 'config file (default $MAILBACKUP_CONFIG, then /etc/mailbackup/config.yml)')
    .option('--json', 'machine-readable result on stdout')
    .option('--quiet', 'print only warnings and errors (for cron)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']))
    .addOption(
      new Option('--progress <mode>', 'live progress on stderr: auto (a line on a terminal, none otherwise), json (NDJSON events), none')
        .choices(['auto', 'json', 'none'])
        .default('auto'),
    )
    .showHelpAfterError()
    .addHelpText('after', EXIT_STATUS);

  // `--help` lists each command on one line (its summary); `help <command>` shows the whole text
  const sub = (name: string, description: string, summary = description.split('\n')[0]) =>
    program.command(name).summary(summary).description(description).addHelpText('after', EXIT_STATUS);
  const action =
    (name: string, load: () => Promise<CommandModule>) =>
    (...all: unknown[]) => {
      const cmd = all[all.length - 1] as Command;
      const opts = cmd.opts();
      return dispatch(name, load, opts, all.slice(0, -2));
    };

  sub('backup', 'make one verified snapshot of every component, then rotate', 'make one verified snapshot, then rotate')
    .option('--weekly', "make this day's weekly snapshot (clone of today's ok daily, else a fresh backup)")
    .option('--date <YYYY-MM-DD>', 'label the snapshot with this date (tests, backfill)')
    .option('--dry-run', 'show what would be done, write nothing')
    .option('--no-rotate', 'skip rotation after a successful backup')
    .option('--force-unlock', 'take over a lock written on another machine (only when no run there uses this disk)')
    .addHelpText('after', LOCKING.exclusive)
    .action(action('backup', () => import('../commands/backup.js')));

  sub('rotate', 'apply retention: keep and delete snapshots by the rules', 'keep and delete snapshots by the retention rules')
    .option('--dry-run', 'print the plan, delete nothing')
    .option('--force-unlock', 'take over a lock written on another machine (only when no run there uses this disk)')
    .addHelpText('after', LOCKING.exclusive)
    .action(action('rotate', () => import('../commands/rotate.js')));

  sub('verify', 'check snapshots against their manifest and dumps')
    .argument('[snapshot]', 'latest, YYYY-MM-DD, daily/… or weekly/…', 'latest')
    .option('--all', 'every snapshot')
    .option('--full', 'every file against manifest.sha256')
    .option('--rolling [days]', 're-read 1/DAYS of every ok snapshot (the slice read longest ago), so all data is re-read within DAYS days (default verify.rollingDays)')
    .addHelpText('after', LOCKING.shared)
    .action(action('verify', () => import('../commands/verify.js')));

  sub('list', 'snapshots with kind, date, status, size and added size', 'snapshots: kind, date, status, size, added size')
    .addHelpText('after', LOCKING.check)
    .action(action('list', () => import('../commands/list.js')));

  sub('status', 'health at a glance (Nagios exit codes 0-3)')
    .option('--smart', 'include the SMART health of the backup disk (smartctl -j)')
    .option('--smart-device <dev>', 'device to query (default: the one holding destination.root)')
    .option('--prometheus <file>', 'write a node_exporter textfile')
    .option('--notify', 'mail when WARNING/CRITICAL, once per problem (hourly cron)')
    .addHelpText('after', LOCKING.check)
    .action(action('status', () => import('../commands/status.js')));

  sub(
    'report',
    "the week at a glance: each run, the checks, disk use and its forecast\n\n" +
      'Covers the last 7 days (--days N): each backup run (kind, result, duration, files and bytes added, ' +
      'warnings), the verification, rolling verification, drill, SMART and offsite state, disk use and when ' +
      'the disk reaches notify.diskUsageWarnPercent and is full. On a terminal it draws the last 30 nights ' +
      '(duration, bytes added) as charts. --mail sends it with the notifier (text and HTML). Reads metadata ' +
      'only: backup.json, .state/, the log. Exit 0 when the report was made, whatever it says.',
    'the week at a glance: runs, checks, disk forecast',
  )
    .option('--days <n>', 'days to cover', '7')
    .option('--mail', 'mail the report to notify.email (text with charts, and HTML)')
    .option('--smart', 'include the SMART health of the backup disk (smartctl -j)')
    .addHelpText('after', LOCKING.check)
    .action(action('report', () => import('../commands/report.js')));

  const filters = (c: Command, recipient: '--to' | '--recipient') =>
    c
      .option('--user <address>', 'only this mailbox, e.g. alice@example.com')
      .option('--folder <name>', 'only this folder, e.g. INBOX or Archive/2024')
      .option('--from <text>', 'From contains this text (decoded, any case)')
      .option(`${recipient} <text>`, 'To contains this text (decoded, any case)')
      .option('--subject <text>', 'Subject contains this text (decoded, any case; 請求書 finds =?ISO-2022-JP?…)')
      .option('--message-id <id>', 'this Message-ID (angle brackets optional)')
      .option('--since <date>', 'delivered on or after this date')
      .option('--until <date>', 'delivered before this date');
  filters(
    sub(
      'find',
      'find messages in every snapshot by sender, recipient, subject, Message-ID or date\n\n' +
        "Searches each snapshot's messages.index (never its tree): decoded header text, case-insensitive " +
        'substrings. Prints one line per message (copies in several snapshots are one message: same user and ' +
        'Message-ID, or same size and content without one) with the first and last snapshot it is in. ' +
        '--deleted keeps only messages no longer anywhere in the live mailbox (moved or re-flagged ones are still there). ' +
        'Restore what you found with `restore mail` and the same filters.\n' +
        'Exit 0 also when nothing matches; 1 when some snapshots have no messages.index (run `mailbackup index`); 3 when none has.',
      'find messages across snapshots (decoded headers)',
    ),
    '--to',
  )
    .option('--recipient <text>', 'the same as --to (the name restore mail uses)')
    .option('--snapshot <s>', 'search only this snapshot (default: every ok snapshot)')
    .option('--deleted', 'only messages no longer in the live mailbox')
    .addHelpText('after', LOCKING.shared)
    .action(action('find', () => import('../commands/find.js')));

  sub(
    'index',
    'build messages.index for snapshots that lack it (made before it existed)\n\n' +
      'Oldest first; each snapshot carries the entries of unchanged messages forward from the one before, ' +
      "so only the first reads every message's header block. --snapshot S builds (or rebuilds) that one.",
    'build the message index of older snapshots',
  )
    .option('--snapshot <s>', 'only this snapshot (rebuilt when it has one)')
    .option('--rebuild', 'rebuild every ok snapshot\'s index, not only missing ones')
    .option('--force-unlock', 'take over a lock written on another machine (only when no run there uses this disk)')
    .addHelpText('after', LOCKING.exclusive)
    .action(action('index', () => import('../commands/index-messages.js')));

  const restore = program.command('restore').summary('recover mail, a database, files or the server').description('recover mail, a database, files or the whole server');
  const restoreCommon = (c: Command, snapshotDefault = true) =>
    c
      .option('--snapshot <s>', snapshotDefault ? 'snapshot to restore from' : 'snapshot to restore from (default latest; with a filter: the newest holding each message)', snapshotDefault ? 'latest' : undefined)
      .option('--dry-run', 'print the plan, change nothing')
      .option('--yes', 'confirm in-place changes without a prompt')
      .option('--force', 'allow restoring from a snapshot marked failed')
      .addHelpText('after', EXIT_STATUS)
      .addHelpText('after', `${LOCKING.shared} In place, the safety copy under safety/ is written under the destination lock (exit 75 while a backup runs).`);
  filters(
    restoreCommon(
      restore.command('mail').summary('a mailbox, a folder, or the messages a filter selects').description(
        'a mailbox, a folder, or the messages a filter selects\n\n' +
          'With --from, --recipient, --subject or --message-id, the messages are selected as `find` selects them and ' +
          'each comes from the newest snapshot that holds it (or from --snapshot S). A message already anywhere in the ' +
          'live mailbox (same maildir name in any folder, or same Message-ID and size, or same content without one) is ' +
          'skipped and counted, so running the same restore again adds nothing. Restored files go into new/ or cur/ ' +
          'under their own names (flags kept) without dovecot-uidlist entries, so Dovecot gives them new UIDs.',
      ),
      false,
    ),
    '--recipient',
  )
    .option('--to <dir>', 'write a standalone maildir copy here')
    .option('--in-place', 'restore into the live mail store')
    .addOption(new Option('--mode <mode>', 'in-place mode').choices(['merge', 'replace']).default('merge'))
    .option('--into-folder <name>', 'merge recovered mail into this new folder')
    .action(action('restore-mail', () => import('../commands/restore-mail.js')));
  restoreCommon(restore.command('db').description('a database dump into MariaDB'))
    .argument('<name>', 'database name in the snapshot')
    .option('--as <newname>', 'load into a new database of this name')
    .option('--with-grants', 'also create the accounts with a grant on it, from mysql/grants.sql.gz (hashed passwords)')
    .action(action('restore-db', () => import('../commands/restore-db.js')));
  restoreCommon(restore.command('files').description('a file component'))
    .addOption(new Option('--component <c>', 'component').choices(['config', 'ssl', 'dkim', 'logs']).makeOptionMandatory())
    .option('--to <dir>', 'write the files here')
    .option('--in-place', 'restore over the live files')
    .action(action('restore-files', () => import('../commands/restore-files.js')));
  restoreCommon(restore.command('all').description('full recovery onto new hardware'))
    .requiredOption('--to <dir>', 'new source.root to lay the files out under')
    .action(action('restore-all', () => import('../commands/restore-all.js')));

  sub(
    'drill',
    'restore everything to scratch, check it, time it, report\n\n' +
      'Restores every file component into a scratch directory and checks it against manifest.sha256, ' +
      'compares mailbox and message counts per user (and opens them with doveadm), loads each dump into ' +
      'a <name>_drill database and compares tables and row counts with backup.json, checks certificates ' +
      'and DKIM keys, times every phase against the RTO targets, writes drills/<date>.json and .md and ' +
      'mails the report. Scratch data and databases are removed afterwards unless --keep.',
    'restore to scratch, check it, time it, report',
  )
    .option('--snapshot <s>', 'snapshot to drill', 'latest')
    .option('--workdir <dir>', 'directory to make the scratch copy in (default drill.workdir, then /var/tmp)')
    .option('--keep', 'keep the scratch directory and databases')
    .addHelpText('after', LOCKING.shared)
    .option('--from-offsite <repo>', 'drill on the snapshot fetched from this offsite repository')
    .action(action('drill', () => import('../commands/drill.js')));

  const offsite = program
    .command('offsite')
    .summary('the encrypted offsite copy (restic)')
    .description('the encrypted offsite copy on restic: init, push, list, check, restore (docs/offsite.md)');
  const off = (name: string, description: string) => offsite.command(name).description(description).option('--repo <name>', 'only this repository').addHelpText('after', EXIT_STATUS);
  const offLoad = (fn: 'init' | 'push' | 'list' | 'check' | 'restore') => () => import('../commands/offsite.js').then((m) => ({ default: m[fn] }));
  off('init', 'create the repository (and a random password file if absent); print the recovery kit')
    .action(action('offsite-init', offLoad('init')));
  off('push', 'copy a verified ok snapshot into the repositories (a snapshot already there is skipped), then apply offsite.retention')
    .argument('[snapshot]', 'latest, YYYY-MM-DD, daily/… or weekly/…', 'latest')
    .option('--dry-run', 'print what would be pushed')
    .action(action('offsite-push', offLoad('push')));
  off('list', 'the snapshots in each repository').action(action('offsite-list', offLoad('list')));
  off('check', "restic's check of each repository; exit 2 on damage or when unreachable")
    .option('--read-data', 'read and verify all data')
    .option('--read-data-subset [N/T]', 'read part N of T; without N/T the next part of a rolling check over offsite.checkWeeks parts')
    .action(action('offsite-check', offLoad('check')));
  off('restore', 'fetch a snapshot into DIR exactly as on the backup disk, then verify it against its manifest')
    .argument('<snapshot>', 'latest, YYYY-MM-DD, daily/… or weekly/…')
    .requiredOption('--to <dir>', 'new or empty directory')
    .action(action('offsite-restore', offLoad('restore')));

  sub(
    'unlock',
    'remove a lock a run cannot take over by itself\n\n' +
      'A lock written on another machine (the disk was moved between servers) is never taken over silently. ' +
      'This shows the holder of the destination lock, of reader locks and of deletion intents that are not alive here, and why, ' +
      'then asks: type "yes" on a terminal, or pass --yes. A mailbackup run alive on this machine is never ' +
      'unlocked (exit 75).',
  )
    .option('--yes', 'remove without a prompt (cron, scripts)')
    .action(action('unlock', () => import('../commands/unlock.js')));

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
    .action(action('init', () => import('../commands/init.js')));

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
    .action(action('schedule', () => import('../commands/schedule.js')));

  // the bash and zsh completion scripts ask this (src/cli/complete.ts); not in --help or the man pages
  program
    .command('__complete', { hidden: true })
    .description('print completions for the last of WORDS')
    .argument('[words...]', 'the words typed after `mailbackup`')
    .allowUnknownOption()
    .helpOption(false)
    .action(action('__complete', () => import('../commands/complete.js')));

  return program;
}
