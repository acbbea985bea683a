/**
 * The config file `init` writes: every key of docs/configuration.md with a comment saying what it is, so an
 * admin can read and edit it without the docs. Defaults come from the schema itself, so the
 * file and `loadConfig` never disagree. Pure (unit-tested: the output parses with loadConfig).
 */
import { configSchema, type Config } from '../config/schema.js';

export interface InitValues {
  source: { root: string; mail: string; mailboxLayout: { value: string; mailboxRoot: string; comment: string }; certbot: string; dkim: string; config: string[]; logs?: string };
  destination: { root: string; requireMountpoint?: string };
  database: { runtime: 'docker' | 'podman' | 'host'; container: string; user: string; credentialsFile: string; databases: string[] | 'all' };
  dovecot: { container?: string };
  notifyTo?: string[];
  notifyFrom?: string;
  logDir?: string;
  /** lines for the header: where each value came from */
  provenance: string[];
}

/** The schema's defaults for everything init does not decide. */
export function schemaDefaults(): Config {
  return configSchema.parse({ source: { root: '/' }, destination: { root: '/' }, database: {} });
}

/** JSON is valid YAML: quoting through JSON.stringify is safe for any path or name. */
const y = (v: unknown) => JSON.stringify(v);
const opt = (key: string, v: unknown, comment: string) =>
  v === undefined ? `  # ${key}: …             # ${comment}` : `  ${key}: ${y(v)}   # ${comment}`;

export function renderConfig(v: InitValues, now = new Date()): string {
  const d = schemaDefaults();
  return [
    '# mailbackup configuration, written by `mailbackup init` on ' + now.toISOString(),
    '# Keep this file mode 0600. Unknown keys are refused, so a typo never disables a component.',
    ...v.provenance.map((p) => `# ${p}`),
    '',
    ...sourceLines(v, d),
    '',
    ...destinationLines(v),
    '',
    ...databaseLines(v),
    '',
    ...dovecotLines(v),
    '',
    ...retentionLines(d),
    '',
    ...notifyLines(v, d),
    '',
    ...runLines(v, d),
    '',
  ].join('\n');
}

/** source: the paths init found in the compose project. */
function sourceLines(v: InitValues, d: Config): string[] {
  return [
    'source:',
    `  root: ${y(v.source.root)}   # the compose project directory`,
    '  # paths below are relative to source.root unless absolute',
    `  mail: ${y(v.source.mail)}   # Dovecot mail store: holds vmail/ and sieve/`,
    `  mailboxRoot: ${y(v.source.mailboxLayout.mailboxRoot)}   # the directory under mail that holds the mailboxes ("." = mail itself)`,
    '  # where a maildir lies under mailboxRoot: %d/%u (example.com/alice@example.com), %d/%n',
    '  # (example.com/alice), %u, %n, each optionally + /Maildir; auto = detect from the tree',
    `  mailboxLayout: ${y(v.source.mailboxLayout.value)}   # ${v.source.mailboxLayout.comment.replace(/\n/g, ' ')}`,
    `  certbot: ${y(v.source.certbot)}   # whole certbot dir (archive, live, renewal, accounts)`,
    `  dkim: ${y(v.source.dkim)}   # OpenDKIM keys and tables`,
    `  config: ${y(v.source.config)}   # mirrored under config/ by relative path`,
    opt('logs', v.source.logs, 'optional: server logs to keep with each snapshot'),
    `  exclude: ${y(d.source.exclude)}   # rsync patterns excluded from the mail component`,
  ];
}

/** destination: the disk and its marker. */
function destinationLines(v: InitValues): string[] {
  return [
    'destination:',
    `  root: ${y(v.destination.root)}   # must hold the .mailbackup marker (init created it)`,
    opt('requireMountpoint', v.destination.requireMountpoint, 'refuse to run unless this is a mount point'),
  ];
}

/** database: the MariaDB container and what it dumps. */
function databaseLines(v: InitValues): string[] {
  return [
    'database:',
    `  runtime: ${y(v.database.runtime)}   # docker | podman | host`,
    `  container: ${y(v.database.container)}   # where mariadb-dump runs`,
    `  user: ${y(v.database.user)}`,
    `  credentialsFile: ${y(v.database.credentialsFile)}   # [client] password=… (mode 0600); never in argv`,
    `  databases: ${y(v.database.databases)}   # "all" (every database the server lists, but its own schemas) or a list; each → mysql/<name>.sql.gz`,
    '  # The requirements class the databases as P0: a run that dumps none warns (exit 1). Only if',
    '  # this server really has no database to keep, say so:',
    '  # enabled: false',
  ];
}

/** dovecot: the container doveadm runs in. */
function dovecotLines(v: InitValues): string[] {
  return [
    'dovecot:',
    v.dovecot.container
      ? `  container: ${y(v.dovecot.container)}   # doveadm checks after restores and in drills`
      : '  # container: mailserver-dovecot   # doveadm checks after restores and in drills',
  ];
}

/** retention: the schema defaults. */
function retentionLines(d: Config): string[] {
  return [
    'retention:',
    `  daily: ${d.retention.daily}       # daily snapshots kept`,
    `  weekly: ${d.retention.weekly}      # weekly snapshots kept`,
    `  failedDays: ${d.retention.failedDays}    # failed snapshots removed after this many days once a newer ok one exists`,
  ];
}

/** notify: mail, disk usage and pings. */
function notifyLines(v: InitValues, d: Config): string[] {
  return [
    'notify:',
    ...emailLines(v, d),
    `  diskUsageWarnPercent: ${d.notify.diskUsageWarnPercent}   # warn when the backup disk is fuller than this`,
    '  # pingUrl: https://hc-ping.com/<uuid>   # healthchecks.io-style start/success/fail pings',
  ];
}

/** notify.email: filled in from --notify-to, else a commented example. */
function emailLines(v: InitValues, d: Config): string[] {
  return v.notifyTo?.length
    ? [
        '  email:',
        `    to: ${y(v.notifyTo)}`,
        `    from: ${y(v.notifyFrom ?? `mailbackup@${v.notifyTo[0].split('@')[1]}`)}`,
        '    smtp: { host: "localhost", port: 25 }   # or sendmail: /usr/sbin/sendmail',
        `    onWarning: ${d.notify.email?.onWarning ?? true}      # also mail runs that finished with warnings`,
        '    onSuccess: false     # mail every successful run too',
      ]
    : [
        '  # email:                              # failure mail (FR-07); uncomment and fill in',
        '  #   to: [admin@example.com]',
        '  #   from: backup@mail.example.com',
        '  #   smtp: { host: localhost, port: 25 }',
      ];
}

/** log, priority, retry, verify and drill: the schema defaults, commented. */
function runLines(v: InitValues, d: Config): string[] {
  return [
    'log:',
    `  dir: ${y(v.logDir ?? d.log.dir)}   # JSON log files, one per day`,
    `  retentionDays: ${d.log.retentionDays}`,
    `  level: ${d.log.level}`,
    '',
    'priority:   # every child process runs under nice/ionice (FR-01)',
    `  nice: ${d.priority.nice}`,
    `  ioniceClass: ${d.priority.ioniceClass}   # 3 = idle`,
    '',
    'retry:   # transient failures (container restarting, connection refused)',
    `  attempts: ${d.retry.attempts}`,
    `  backoffMs: ${d.retry.backoffMs}`,
    '',
    'verify:',
    `  rollingDays: ${d.verify.rollingDays}   # the daily \`verify --rolling\` re-reads every snapshot file within this many days`,
    '',
    'drill:   # quarterly recovery drill (OR-05)',
    '  # workdir: /srv/drill-scratch   # scratch space for a full restore; default /var/tmp (needs the snapshot size free)',
    `  rtoMailDbHours: ${d.drill.rtoMailDbHours}   # target: mail and databases restored within`,
    `  rtoTotalHours: ${d.drill.rtoTotalHours}   # target: everything restored within`,
  ];
}
