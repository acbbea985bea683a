/**
 * The commander program: global options, then every subcommand of docs/commands.md, registered
 * by group (register/). Command files are loaded only when their command runs, so `--help` and
 * `status` stay fast.
 */
import { Command, Option } from 'commander';
import { VERSION } from '../util/version.js';
import { registerMessageCommands } from './register/messages.js';
import { registerOffsiteCommands } from './register/offsite.js';
import { registerRestoreCommands } from './register/restore.js';
import { registerSetupCommands } from './register/setup.js';
import { EXIT_STATUS, registrar, type Dispatch } from './register/shared.js';
import { registerSnapshotCommands } from './register/snapshots.js';

export type { CommandModule, Dispatch } from './register/shared.js';

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


  // the order here is the order of `--help` and the man pages
  const r = registrar(program, dispatch);
  registerSnapshotCommands(r);
  registerMessageCommands(r);
  registerRestoreCommands(r);
  registerOffsiteCommands(r);
  registerSetupCommands(r);
  return program;
}
