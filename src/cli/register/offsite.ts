/** offsite init|push|list|check|restore: the encrypted copy on restic (docs/offsite.md). */
import { EXIT_STATUS, type Registrar } from './shared.js';

export function registerOffsiteCommands({ program, action }: Registrar): void {
  const offsite = program
    .command('offsite')
    .summary('the encrypted offsite copy (restic)')
    .description('the encrypted offsite copy on restic: init, push, list, check, restore (docs/offsite.md)');
  const off = (name: string, description: string) => offsite.command(name).description(description).option('--repo <name>', 'only this repository').addHelpText('after', EXIT_STATUS);
  const offLoad = (fn: 'init' | 'push' | 'list' | 'check' | 'restore') => () => import('../../commands/offsite.js').then((m) => ({ default: m[fn] }));
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
}
