/**
 * `restore all`: where each component goes under the new root, and the exact steps that remain
 * after the files are back (databases, compose, checks). Pure: the command supplies the facts.
 */
import { join } from 'node:path';

export interface ComponentPlacement {
  component: string;
  /** <snapshot>/<component> */
  from: string;
  /** absolute target under DIR */
  to: string;
  files?: number;
}

export interface NextStepsInput {
  dir: string;
  snapshot: string;
  runtime: 'docker' | 'podman' | 'host';
  databases: string[];
  /** the snapshot holds mysql/grants.sql.gz: the accounts come back with the databases */
  grants?: boolean;
  dbContainer: string;
  /** compose service of the database, when found in the restored docker-compose.yml */
  dbService?: string;
  dovecotContainer?: string;
  /** a mailbox to look at after start-up */
  sampleUser?: string;
  /** certbot live/ directories restored, relative to DIR */
  certificates: string[];
  /** `--config FILE` when the admin passed one */
  configArg: string;
  /** DIR is not source.root in the config */
  rootDiffers: boolean;
  /** database.credentialsFile and database.user; envFile: the restored compose .env, when there is one */
  credentials: { file: string; user: string; envFile?: string };
  mailOwner?: { uid: number; gid: number; path: string };
}

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function nextSteps(i: NextStepsInput): string[] {
  const mb = `mailbackup${i.configArg ? ` ${i.configArg}` : ''}`;
  const compose = i.runtime === 'podman' ? 'podman compose' : 'docker compose';
  const exec = i.runtime === 'podman' ? 'podman exec' : 'docker exec';
  const steps: string[][] = [];
  if (i.rootDiffers) {
    steps.push([`Files are under ${i.dir}, not under source.root of the config. Either move them there, or set source.root: ${i.dir} in the config before the next backup.`]);
  }
  if (i.mailOwner) {
    steps.push([
      `Mail files keep their numeric owner ${i.mailOwner.uid}:${i.mailOwner.gid}; the Dovecot container must run with the same vmail uid/gid:`,
      `  stat -c '%u:%g %n' ${q(i.mailOwner.path)}`,
    ]);
  }
  if (i.runtime === 'host') {
    steps.push(['Start MariaDB on this host:', '  systemctl start mariadb', '  until mariadb-admin ping --silent; do sleep 2; done']);
  } else {
    const service = i.dbService ?? i.dbContainer;
    steps.push([
      'Start only the database:',
      `  cd ${q(i.dir)} && ${compose} up -d ${q(service)}`,
      `  until ${exec} ${q(i.dbContainer)} mariadb-admin ping --silent; do sleep 2; done`,
      ...(i.dbService ? [] : [`  (no service with container_name ${i.dbContainer} found in docker-compose.yml: use its service name)`]),
    ]);
  }
  if (i.databases.length) {
    steps.push(credentialsStep(i));
    steps.push([
      `Load the databases from the same snapshot (${i.snapshot})${i.grants ? ', with the accounts and grants the applications log in with' : ''}:`,
      ...i.databases.map((d) => `  ${mb} restore db ${q(d)} --snapshot ${i.snapshot} --yes${i.grants ? ' --with-grants' : ''}`),
      ...(i.grants ? [] : ['  (this snapshot holds no mysql/grants.sql.gz: create the application accounts by hand)']),
    ]);
  } else {
    steps.push([`Snapshot ${i.snapshot} holds no database dumps: nothing to load.`]);
  }
  steps.push(['Start the whole stack:', `  cd ${q(i.dir)} && ${compose} up -d`]);
  const checks = [`Check:`, `  cd ${q(i.dir)} && ${compose} ps        # every service running / healthy`];
  if (i.dovecotContainer) {
    checks.push(`  ${exec} ${q(i.dovecotContainer)} doveadm force-resync -A '*'`);
    if (i.sampleUser) checks.push(`  ${exec} ${q(i.dovecotContainer)} doveadm mailbox status -u ${q(i.sampleUser)} messages INBOX`);
  }
  for (const c of i.certificates.slice(0, 3)) checks.push(`  openssl x509 -noout -subject -enddate -in ${q(join(i.dir, c, 'fullchain.pem'))}`);
  checks.push(`  ${compose === 'docker compose' ? 'docker' : 'podman'} logs --tail 50 ${q(i.dbContainer)}`);
  checks.push('  send a test mail in and out, and log in with IMAP (a mail client or Roundcube)');
  steps.push(checks);
  steps.push(['Resume backups on this machine:', `  ${mb} backup`, `  ${mb} status`, `  ${mb} schedule --install      # the daily and weekly runs (or --systemd)`]);
  return steps.flatMap((s, n) => [`${n + 1}. ${s[0]}`, ...s.slice(1).map((l) => `   ${l}`)]);
}

/** restore db logs in with this file's password: a new machine does not have it yet. */
function credentialsStep(i: NextStepsInput): string[] {
  const { file, user, envFile } = i.credentials;
  const fromEnv = i.runtime !== 'host' && envFile;
  return [
    `Put the password of the database user ${user} into ${file} (database.credentialsFile), which restore db reads${fromEnv ? '; a new container takes its root password from .env on first start' : ''}:`,
    ...(fromEnv ? [`  grep -E 'MYSQL_ROOT_PASSWORD|MARIADB_ROOT_PASSWORD' ${q(envFile)}`] : []),
    `  install -m 600 /dev/null ${q(file)}`,
    `  printf '[client]\\npassword=%s\\n' 'THE-PASSWORD' > ${q(file)}`,
  ];
}

/** What to do with a target an interrupted or failed restore all left half-filled. */
export function unfinishedAdvice(dir: string): string {
  return `empty it, dot files included (find ${q(dir)} -mindepth 1 -delete), then run the same restore all again`;
}
