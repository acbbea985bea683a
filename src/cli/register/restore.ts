/** restore mail|db|files|all and drill: getting data back, for real or as a rehearsal. */
import { Option, type Command } from 'commander';
import { EXIT_STATUS, filters, LOCKING, type Registrar } from './shared.js';

export function registerRestoreCommands(r: Registrar): void {
  registerRestore(r);
  registerDrill(r);
}

function registerRestore({ program, action }: Registrar): void {
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
    .action(action('restore-mail', () => import('../../commands/restore-mail.js')));
  restoreCommon(restore.command('db').description('a database dump into MariaDB'))
    .argument('<name>', 'database name in the snapshot')
    .option('--as <newname>', 'load into a new database of this name')
    .option('--with-grants', 'also create the accounts with a grant on it, from mysql/grants.sql.gz (hashed passwords)')
    .action(action('restore-db', () => import('../../commands/restore-db.js')));
  restoreCommon(restore.command('files').description('a file component'))
    .addOption(new Option('--component <c>', 'component').choices(['config', 'ssl', 'dkim', 'logs']).makeOptionMandatory())
    .option('--to <dir>', 'write the files here')
    .option('--in-place', 'restore over the live files')
    .action(action('restore-files', () => import('../../commands/restore-files.js')));
  restoreCommon(restore.command('all').description('full recovery onto new hardware'))
    .requiredOption('--to <dir>', 'new source.root to lay the files out under')
    .action(action('restore-all', () => import('../../commands/restore-all.js')));
}

function registerDrill({ sub, action }: Registrar): void {
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
    .action(action('drill', () => import('../../commands/drill.js')));
}
