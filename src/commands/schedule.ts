/**
 * `schedule`: print (or with --install, write) the cron file or systemd units that run
 * backup, the weekly snapshot, the daily rolling verification, status checks and the quarterly drill.
 */
import { resolve, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Context } from '../cli/context.js';
import { configPath } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { CRON_PATH, renderCron } from '../schedule/cron.js';
import { installFiles, type InstallFile } from '../schedule/install.js';
import { jobsFor, selfCommand } from '../schedule/jobs.js';
import { UNIT_DIR, renderUnits, timerNames } from '../schedule/systemd.js';

interface Opts {
  cron?: boolean;
  systemd?: boolean;
  install?: boolean;
  root?: string;
}

/** The schedule does not need a valid config (init may come later); every run checks it anyway. */
function loadQuietly(ctx: Context): { offsite?: unknown } | undefined {
  try {
    return ctx.config();
  } catch {
    return undefined;
  }
}

export default async function schedule(ctx: Context, opts: Opts): Promise<number> {
  if (opts.cron && opts.systemd) throw new UsageError('choose one of --cron and --systemd');
  const format = opts.systemd ? 'systemd' : 'cron';
  const configFile = resolve(configPath(ctx.global.config));
  const self = selfCommand();
  // the offsite check is scheduled only when the config sets up offsite copies
  const jobs = jobsFor(existsSync(configFile) ? loadQuietly(ctx) : undefined);
  const files: InstallFile[] =
    format === 'cron'
      ? [{ path: CRON_PATH, text: renderCron(self, configFile, 'root', jobs) }]
      : renderUnits(self, configFile, jobs).map((u) => ({ path: join(UNIT_DIR, u.name), text: u.text }));
  const notes = existsSync(configFile) ? [] : [`warning: ${configFile} does not exist yet; run \`mailbackup init\` first`];

  if (!opts.install) {
    const human = files.flatMap((f) => (files.length > 1 ? [`### ${f.path}`, f.text] : [f.text.trimEnd()]));
    ctx.result({ format, files }, [...human, ...notes.map((n) => `# ${n}`)]);
    return notes.length ? ExitCode.WARNING : ExitCode.OK;
  }
  const root = opts.root ?? process.env.MAILBACKUP_INSTALL_ROOT ?? '/';
  const written = installFiles(files, root);
  const enable =
    format === 'cron'
      ? ['cron reads /etc/cron.d by itself: nothing to enable.', 'Check: `systemctl status cron` (Debian) or `systemctl status crond` (Rocky).']
      : ['Enable the timers:', `  systemctl daemon-reload && systemctl enable --now ${timerNames(jobs).join(' ')}`, 'Check: `systemctl list-timers mailbackup-*`'];
  ctx.result(
    { format, installed: written },
    [...written.map((w) => `${w.replaced ? 'replaced' : 'wrote'} ${w.path}`), ...enable, ...notes],
  );
  return notes.length ? ExitCode.WARNING : ExitCode.OK;
}
