/** find and index: messages across snapshots, through each snapshot's messages.index. */
import { filters, LOCKING, type Registrar } from './shared.js';

export function registerMessageCommands({ sub, action }: Registrar): void {
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
    .action(action('find', () => import('../../commands/find.js')));

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
    .action(action('index', () => import('../../commands/index-messages.js')));
}
