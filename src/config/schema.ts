/**
 * The configuration file (docs/configuration.md). Unknown keys are errors: a typo must never silently
 * turn off a component. Defaults live here so `init` and the docs show the same values.
 */
import { z } from 'zod';

const path = z.string().min(1, 'must be a non-empty path');

const smtp = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(25),
    /** implicit TLS (port 465) */
    secure: z.boolean().default(false),
    /** require STARTTLS on a plain connection */
    requireTls: z.boolean().default(false),
    /** accept self-signed certificates (lab setups) */
    allowSelfSigned: z.boolean().default(false),
    user: z.string().optional(),
    /** file holding the SMTP password; never put the password itself in the config */
    passwordFile: path.optional(),
    timeoutMs: z.number().int().positive().default(15000),
  })
  .strict();

const email = z
  .object({
    to: z.array(z.string().email()).min(1),
    from: z.string().email(),
    smtp: smtp.optional(),
    /** path of a sendmail-compatible binary, used when smtp is absent or as fallback */
    sendmail: path.optional(),
    onWarning: z.boolean().default(true),
    onSuccess: z.boolean().default(false),
  })
  .strict();

/** restic repositories for the encrypted offsite copy (docs/offsite.md) */
const offsiteRepository = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _'),
    /** any restic repository URL: s3:, b2:, sftp:, rest:, /path (passed as RESTIC_REPOSITORY, never argv) */
    url: z.string().min(1),
    /** 0600 file holding the repository password, handed to restic as RESTIC_PASSWORD_FILE */
    passwordFile: path,
    /** optional 0600 KEY=VALUE file for the backend, e.g. AWS_ACCESS_KEY_ID=… */
    environmentFile: path.optional(),
    /** extended restic options (-o KEY=VALUE), e.g. sftp.command; never secrets */
    options: z.record(z.string()).default({}),
  })
  .strict();

const offsite = z
  .object({
    after: z.enum(['daily', 'weekly', 'never']).default('never'),
    retention: z
      .object({
        daily: z.number().int().min(0).default(7),
        weekly: z.number().int().min(0).default(8),
        monthly: z.number().int().min(0).default(12),
      })
      .strict()
      .default({}),
    repositories: z
      .array(offsiteRepository)
      .min(1)
      .refine((r) => new Set(r.map((x) => x.name)).size === r.length, 'repository names must be unique'),
    /** the restic host name of every pushed snapshot (default: this machine's host name) */
    host: z.string().min(1).optional(),
    /** status: age of the newest pushed snapshot */
    warnAfterDays: z.number().positive().default(2),
    criticalAfterDays: z.number().positive().default(8),
    /** the weekly rolling `check --read-data-subset` reads all data within this many weeks */
    checkWeeks: z.number().int().min(1).max(520).default(12),
  })
  .strict();

export const configSchema = z
  .object({
    source: z
      .object({
        root: path,
        mail: path.default('data/mail'),
        /** the directory under `mail` that holds the mailboxes ("." = `mail` itself, as in docker-mailserver) */
        mailboxRoot: z
          .string()
          .min(1)
          .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside source.mail, like vmail or .')
          .default('vmail'),
        /** where a user's maildir lies under mailboxRoot: auto, or %d/%u, %d/%n, %u, %n (+ /Maildir) */
        mailboxLayout: z
          .string()
          .regex(/^(auto|(%d\/%u|%d\/%n|%u|%n)(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*)$/, 'must be auto or a layout like %d/%u, %d/%n, %u, %n, %d/%n/Maildir')
          .default('auto'),
        certbot: path.default('data/certbot'),
        dkim: path.default('config/opendkim'),
        config: z.array(path).default(['docker-compose.yml', '.env', 'config', 'scripts']),
        logs: path.optional(),
        exclude: z.array(z.string()).default([]),
      })
      .strict(),
    destination: z
      .object({
        root: path,
        requireMountpoint: path.optional(),
      })
      .strict(),
    database: z
      .object({
        runtime: z.enum(['docker', 'podman', 'host']).default('docker'),
        container: z.string().min(1).default('mailserver-mariadb'),
        user: z.string().min(1).default('root'),
        credentialsFile: path.default('/root/.my.cnf'),
        /** false only where the server really has no database to keep: the requirements class them P0 */
        enabled: z.boolean().default(true),
        /** `all`: every database the server lists at each run, except its own schemas */
        databases: z
          .union([z.literal('all'), z.array(z.string().regex(/^[A-Za-z0-9_$-]+$/, 'must be a plain database name'))])
          .default('all'),
      })
      .strict(),
    dovecot: z
      .object({
        container: z.string().min(1).optional(),
        runtime: z.enum(['docker', 'podman', 'host']).optional(),
      })
      .strict()
      .default({}),
    retention: z
      .object({
        daily: z.number().int().min(1).default(30),
        weekly: z.number().int().min(0).default(12),
        /** failed snapshots older than this are removed once a newer ok one exists */
        failedDays: z.number().int().min(0).default(7),
      })
      .strict()
      .default({}),
    notify: z
      .object({
        email: email.optional(),
        fallbackEmail: email.optional(),
        diskUsageWarnPercent: z.number().min(1).max(100).default(80),
        /** status warns when the forecast reaches diskUsageWarnPercent in fewer days than this */
        forecastWarnDays: z.number().int().min(1).default(30),
        /** healthchecks.io-style base URL: /start, base on success, /fail or /<code> */
        pingUrl: z.string().url().optional(),
        pingTimeoutMs: z.number().int().positive().default(5000),
      })
      .strict()
      .default({}),
    log: z
      .object({
        dir: path.default('/var/log/mailbackup'),
        retentionDays: z.number().int().min(1).default(30),
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
      })
      .strict()
      .default({}),
    priority: z
      .object({
        nice: z.number().int().min(0).max(19).default(19),
        ioniceClass: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(3),
      })
      .strict()
      .default({}),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(10).default(3),
        backoffMs: z.number().int().min(0).default(5000),
      })
      .strict()
      .default({}),
    verify: z
      .object({
        /** `verify --rolling` without DAYS (the scheduled run) re-reads all data within this many days */
        rollingDays: z.number().int().min(1).max(366).default(30),
      })
      .strict()
      .default({}),
    drill: z
      .object({
        workdir: path.optional(),
        rtoMailDbHours: z.number().positive().default(4),
        rtoTotalHours: z.number().positive().default(24),
      })
      .strict()
      .default({}),
    offsite: offsite.optional(),
    /** write messages.index into each snapshot (find, restore mail by filter); false only to measure its cost */
    messageIndex: z.boolean().default(true),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type OffsiteConfig = NonNullable<Config['offsite']>;
export type OffsiteRepository = OffsiteConfig['repositories'][number];
