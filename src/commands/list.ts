/** `list`: every snapshot with kind, date, status, sizes and verification, from backup.json only. */
import type { Context } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { checkedDestination } from '../repository/destination.js';
import type { Verification } from '../repository/metadata.js';
import { listLeftovers, listSnapshots, readLatest } from '../repository/snapshots.js';
import { formatBytes, table } from '../util/format.js';

export interface ListRow {
  id: string;
  kind: string;
  date: string;
  status: 'ok' | 'failed' | 'unreadable';
  latest: boolean;
  finishedAt?: string;
  files?: number;
  bytes?: number;
  addedBytes?: number;
  verification?: Verification;
}

function verificationCell(v: Verification | undefined): string {
  if (!v) return 'unverified';
  return `${v.ok ? 'ok' : 'DAMAGED'} (${v.level}, ${v.at.slice(0, 10)})`;
}

export default async function list(ctx: Context, _opts: object): Promise<number> {
  const config = ctx.config();
  const { root } = checkedDestination(config);
  const latest = readLatest(root);
  const rows: ListRow[] = listSnapshots(root).map((s) => ({
    id: s.id,
    kind: s.kind,
    date: s.date,
    status: s.meta ? s.meta.status : 'unreadable',
    latest: s.id === latest,
    finishedAt: s.meta?.finishedAt,
    files: s.meta?.totals?.files,
    bytes: s.meta?.totals?.bytes,
    addedBytes: s.meta?.totals?.addedBytes,
    verification: s.meta?.verification,
  }));
  const leftovers = listLeftovers(root);

  const human = table([
    ['KIND', 'DATE', 'STATUS', 'FILES', 'SIZE', 'ADDED', 'VERIFIED'],
    ...rows.map((r) => [
      r.kind,
      r.date + (r.latest ? ' *' : ''),
      r.status === 'ok' ? 'ok' : r.status.toUpperCase(),
      r.files === undefined ? '-' : String(r.files),
      formatBytes(r.bytes),
      formatBytes(r.addedBytes),
      verificationCell(r.verification),
    ]),
  ]);
  if (rows.length === 0) human.push('(no snapshots yet: run `mailbackup backup`)');
  else human.push('* = latest');
  for (const p of leftovers.partial) human.push(`in progress or interrupted (not a snapshot): ${p}`);
  for (const d of leftovers.deleting) human.push(`interrupted deletion (finished by the next rotate): ${d}`);
  ctx.result({ snapshots: rows, latest: latest ?? null, leftovers }, human);
  return ExitCode.OK;
}
