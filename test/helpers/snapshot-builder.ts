/**
 * Builds snapshots on disk the way the backup pipeline lays them out (docs/on-disk-format.md), with the real
 * tools that define the format: gzip for dumps, sha256sum for manifest.sha256. Lets verify,
 * rotate, list and status be tested without running a backup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { BackupMeta, Verification } from '../../src/repository/metadata.js';
import { setLatest } from '../../src/repository/snapshots.js';

export interface SnapshotSpec {
  kind?: 'daily' | 'weekly';
  date: string;
  status?: 'ok' | 'failed';
  /** data files by path relative to the snapshot root, e.g. `mail/vmail/example.com/alice/cur/1:2,S` */
  files?: Record<string, string | Buffer>;
  /** database name → SQL body (the trailer is appended unless `trailer: false`) */
  databases?: Record<string, string>;
  trailer?: boolean;
  /** hardlink-clone this earlier snapshot dir first (cp -al): files shared with it, as the engine shares them */
  cloneFrom?: string;
  /** paths (relative) to remove from the clone before adding `files` */
  remove?: string[];
  verification?: Verification;
  finishedAt?: string;
  addedBytes?: number;
  /** do not write manifest.sha256 (verify must say it cannot determine) */
  noManifest?: boolean;
}

/** A destination root with its marker, in a fresh temp dir. */
export function makeDestination(prefix = 'mb-dest-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(root, '.mailbackup'), JSON.stringify({ format: 1, createdAt: new Date().toISOString() }) + '\n');
  return root;
}

function dumpText(db: string, body: string, trailer = true): string {
  return `-- MariaDB dump 10.19  Distrib 11.4.2-MariaDB\n-- Host: localhost    Database: ${db}\n${body}\n${
    trailer ? '-- Dump completed on 2026-03-01  3:00:12\n' : ''
  }`;
}

const __dirname = dirname(fileURLToPath(import.meta.url));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function buildSnapshot(root: string, spec: SnapshotSpec): string {
  const kind = spec.kind ?? 'daily';
  const dir = join(root, kind, spec.date);
  mkdirSync(join(root, kind), { recursive: true });
  if (spec.cloneFrom) {
    execFileSync('cp', ['-al', spec.cloneFrom, dir]);
    for (const f of ['manifest.sha256', 'backup.json', 'backup.log', ...(spec.remove ?? [])]) rmSync(join(dir, f), { force: true, recursive: true });
  } else mkdirSync(dir);

  for (const [rel, content] of Object.entries(spec.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    rmSync(join(dir, rel), { force: true }); // never write through a shared inode
    writeFileSync(join(dir, rel), content);
  }
  const databases: BackupMeta['databases'] = {};
  for (const [db, body] of Object.entries(spec.databases ?? {})) {
    mkdirSync(join(dir, 'mysql'), { recursive: true });
    const gz = execFileSync('gzip', ['-c'], { input: dumpText(db, body, spec.trailer ?? true) });
    const file = join(dir, 'mysql', `${db}.sql.gz`);
    rmSync(file, { force: true });
    writeFileSync(file, gz);
    databases[db] = { file: `mysql/${db}.sql.gz`, bytes: gz.length, sha256: sha256(gz), tables: { users: 3 } };
  }
  if (!spec.noManifest) {
    // The manifest is exactly what `cd SNAP && sha256sum -c manifest.sha256` accepts.
    execFileSync('sh', ['-c', "find . -type f ! -path './manifest.*' ! -path './backup.json' ! -path './backup.log' -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 -r sha256sum > manifest.sha256"], { cwd: dir });
  }
  const listed = spec.noManifest ? [] : readFileSync(join(dir, 'manifest.sha256'), 'utf8').split('\n').filter(Boolean);
  const bytes = listed.reduce((n, l) => n + statSync(join(dir, l.slice(66))).size, 0);
  const date = spec.date;
  const meta: BackupMeta = {
    format: 1,
    tool: { name: 'mailbackup', version: '0.1.0' },
    host: 'mail.example.com',
    date,
    kind,
    startedAt: `${date}T03:00:00.000Z`,
    finishedAt: spec.finishedAt ?? `${date}T03:20:00.000Z`,
    status: spec.status ?? 'ok',
    components: { mail: { status: 'ok', files: listed.length, bytes, durationMs: 1000 } },
    databases,
    warnings: [],
    totals: { files: listed.length, bytes, addedFiles: Object.keys(spec.files ?? {}).length, addedBytes: spec.addedBytes ?? bytes },
    ...(spec.cloneFrom ? { basedOn: `${basename(dirname(spec.cloneFrom))}/${basename(spec.cloneFrom)}` } : {}),
    ...(spec.verification !== undefined ? { verification: spec.verification } : {}),
  };
  if (spec.verification === undefined && (spec.status ?? 'ok') === 'ok') {
    meta.verification = { at: meta.finishedAt, level: 'quick', ok: true };
  }
  writeFileSync(join(dir, 'backup.json'), JSON.stringify(meta, null, 2));
  return dir;
}

export function pointLatest(root: string, kind: 'daily' | 'weekly', date: string): void {
  setLatest(root, { kind, date });
}

/** A few maildir messages for alice and bob. */
export function sampleMail(seed: string): Record<string, string> {
  const m = (u: string, n: number) => `mail/vmail/example.com/${u}/cur/17000000${n}.M1P1.mail,S=100,W=102:2,S`;
  return {
    [m('alice', 1)]: `From: bob@example.com\nSubject: one ${seed}\n\nhello\n`,
    [m('alice', 2)]: `From: carol@example.com\nSubject: two ${seed}\n\nworld\n`,
    [m('bob', 3)]: `From: alice@example.com\nSubject: three ${seed}\n\n!\n`,
    'config/docker-compose.yml': 'services: {}\n',
    'dkim/keys/example.com/mail.private': '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
  };
}

/** Runs the built CLI (dist/mailbackup.mjs) and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(__dirname, '../../dist/mailbackup.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** A minimal valid config file for a destination (no source needed by verify/list/status/rotate). */
export function writeConfig(root: string, extra: Record<string, unknown> = {}): string {
  const file = join(root, '..', `${basename(root)}.config.json`);
  const config = {
    source: { root: '/nonexistent-source' },
    destination: { root },
    database: {},
    log: { dir: join(root, '..', `${basename(root)}.logs`) },
    priority: { nice: 0, ioniceClass: 0 },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Removes a destination made by makeDestination with its config and logs. */
export function removeDestination(root: string): void {
  for (const p of [root, `${root}.config.json`, `${root}.logs`]) rmSync(p, { recursive: true, force: true });
}
