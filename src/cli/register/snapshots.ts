/** backup, rotate, verify, list, status, report: the commands about the snapshots on the disk. */
import { LOCKING, type Registrar } from './shared.js';

export function registerSnapshotCommands({ sub, action }: Registrar): void {
  sub('backup', 'make one verified snapshot of every component, then rotate', 'make one verified snapshot, then rotate')
    .option('--weekly', "make this day's weekly snapshot (clone of today's ok daily, else a fresh backup)")
    .option('--date <YYYY-MM-DD>', 'label the snapshot with this date (tests, backfill)')
    .option('--dry-run', 'show what would be done, write nothing')
    .option('--no-rotate', 'skip rotation after a successful backup')
    .option('--force-unlock', 'take over a lock written on another machine (only when no run there uses this disk)')
    .addHelpText('after', LOCKING.exclusive)
    .action(action('backup', () => import('../../commands/backup.js')));

  sub('rotate', 'apply retention: keep and delete snapshots by the rules', 'keep and delete snapshots by the retention rules')
    .option('--dry-run', 'print the plan, delete nothing')
    .option('--force-unlock', 'take over a lock written on another machine (only when no run there uses this disk)')
    .addHelpText('after', LOCKING.exclusive)
    .action(action('rotate', () => import('../../commands/rotate.js')));

  sub('verify', 'check snapshots against their manifest and dumps')
    .argument('[snapshot]', 'latest, YYYY-MM-DD, daily/… or weekly/…', 'latest')
    .option('--all', 'every snapshot')
    .option('--full', 'every file against manifest.sha256')
    .option('--rolling [days]', 're-read 1/DAYS of every ok snapshot (the slice read longest ago), so all data is re-read within DAYS days (default verify.rollingDays)')
    .addHelpText('after', LOCKING.shared)
    .action(action('verify', () => import('../../commands/verify.js')));

  sub('list', 'snapshots with kind, date, status, size and added size', 'snapshots: kind, date, status, size, added size')
    .addHelpText('after', LOCKING.check)
    .action(action('list', () => import('../../commands/list.js')));

  sub('status', 'health at a glance (Nagios exit codes 0-3)')
    .option('--smart', 'include the SMART health of the backup disk (smartctl -j)')
    .option('--smart-device <dev>', 'device to query (default: the one holding destination.root)')
    .option('--prometheus <file>', 'write a node_exporter textfile')
    .option('--notify', 'mail when WARNING/CRITICAL, once per problem (hourly cron)')
    .addHelpText('after', LOCKING.check)
    .action(action('status', () => import('../../commands/status.js')));

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
    .action(action('report', () => import('../../commands/report.js')));
}
