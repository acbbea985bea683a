/**
 * The offsite part of status: per repository the newest pushed snapshot and its age, the last
 * push error and the last check, from .state/offsite-<name>.json (status never contacts a
 * repository: it stays fast and answers when the network is down). Pure apart from collect.
 */
import type { Config } from '../config/schema.js';
import { readOffsiteState, type OffsiteState } from '../offsite/state.js';
import { redactUrl } from '../tools/restic.js';
import type { AddProblem } from './checks.js';

export interface OffsiteRepoStatus {
  name: string;
  url: string;
  newest?: { snapshot: string; finishedAt: string; pushedAt: string; ageDays: number };
  lastPushError?: { at: string; error: string };
  lastCheck?: { at: string; mode: string; ok: boolean; error?: string };
}

export type OffsiteFacts = { name: string; url: string; state: OffsiteState }[];

export function collectOffsite(config: Config, root: string): OffsiteFacts | undefined {
  return config.offsite?.repositories.map((r) => ({ name: r.name, url: redactUrl(r.url), state: readOffsiteState(root, r.name) }));
}

const DAY = 86_400_000;

export function checkOffsite(facts: OffsiteFacts | undefined, config: Config, now: Date, add: AddProblem): OffsiteRepoStatus[] | undefined {
  if (!facts || !config.offsite) return undefined;
  const { warnAfterDays, criticalAfterDays } = config.offsite;
  return facts.map(({ name, url, state }) => {
    const out: OffsiteRepoStatus = { name, url, lastCheck: state.lastCheck };
    const p = state.lastPush;
    if (p) {
      const ageDays = (now.getTime() - Date.parse(p.snapshotFinishedAt)) / DAY;
      out.newest = { snapshot: p.snapshot, finishedAt: p.snapshotFinishedAt, pushedAt: p.at, ageDays };
      const msg = `offsite ${name}: newest copy ${p.snapshot} is ${ageDays.toFixed(1)} days old (warning after ${warnAfterDays}, critical after ${criticalAfterDays}): run \`mailbackup offsite push --repo ${name}\` and check its result`;
      if (ageDays > criticalAfterDays) add(`offsite.${name}.age`, 'CRITICAL', msg);
      else if (ageDays > warnAfterDays) add(`offsite.${name}.age`, 'WARNING', msg);
    } else add(`offsite.${name}.none`, 'WARNING', `offsite ${name}: nothing pushed yet: run \`mailbackup offsite push --repo ${name}\``);
    const e = state.lastPushError;
    if (e && (!p || e.at > p.at)) {
      out.lastPushError = e;
      add(`offsite.${name}.push`, 'WARNING', `offsite ${name}: the last push (${e.at}) failed: ${e.error}`);
    }
    const c = state.lastCheck;
    if (c && !c.ok) add(`offsite.${name}.check`, 'CRITICAL', `offsite ${name}: the last check (${c.mode}, ${c.at}) failed: ${c.error ?? 'see the log'}`);
    return out;
  });
}

export function renderOffsite(repos: OffsiteRepoStatus[] | undefined): string[] {
  return (repos ?? []).map((r) => {
    const newest = r.newest ? `${r.newest.snapshot} (${r.newest.ageDays.toFixed(1)} days old)` : 'nothing pushed';
    const check = r.lastCheck ? `check ${r.lastCheck.ok ? 'ok' : 'FAILED'} ${r.lastCheck.at} (${r.lastCheck.mode})` : 'never checked';
    return `offsite ${r.name}:`.padEnd(15) + `${newest}; ${check}`;
  });
}

type Sample = { labels?: Record<string, string>; value: number };
const sec = (iso?: string) => (iso ? Date.parse(iso) / 1000 : undefined);

/** Metric families for prometheus.ts, one sample per repository that has the fact. */
export function offsiteMetricFamilies(repos: OffsiteRepoStatus[] | undefined): { name: string; help: string; samples: Sample[] }[] {
  const per = (f: (r: OffsiteRepoStatus) => number | undefined): Sample[] =>
    (repos ?? []).flatMap((r) => {
      const v = f(r);
      return v === undefined || !Number.isFinite(v) ? [] : [{ labels: { repository: r.name }, value: v }];
    });
  return [
    { name: 'mailbackup_offsite_newest_snapshot_timestamp_seconds', help: 'Finish time of the newest snapshot pushed to the offsite repository.', samples: per((r) => sec(r.newest?.finishedAt)) },
    { name: 'mailbackup_offsite_last_push_timestamp_seconds', help: 'When the newest snapshot was pushed to the offsite repository.', samples: per((r) => sec(r.newest?.pushedAt)) },
    { name: 'mailbackup_offsite_last_push_failed', help: '1 when the last push to the offsite repository failed.', samples: per((r) => (r.lastPushError ? 1 : 0)) },
    { name: 'mailbackup_offsite_last_check_timestamp_seconds', help: 'When the offsite repository was last checked.', samples: per((r) => sec(r.lastCheck?.at)) },
    { name: 'mailbackup_offsite_last_check_ok', help: '1 when the last check of the offsite repository found no errors.', samples: per((r) => (r.lastCheck ? (r.lastCheck.ok ? 1 : 0) : undefined)) },
  ];
}
