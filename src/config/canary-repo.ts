import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';
import type { Queryable } from '../store/db.ts';
import type { JsonValue } from './types.ts';

/**
 * Config canaries: a change set served first to one named process (`MARKETPIPE_PROCESS_NAME`) or to a
 * share of requests chosen by a hash of the request, while everything else keeps the current values;
 * then promoted (one version for everyone) or rolled back (nobody serves it any more).
 */

export type CanaryTarget = { process: string } | { percent: number };

export interface Canary {
  id: number;
  created_at: string;
  who: string;
  reason: string;
  env: string;
  target: CanaryTarget;
  changes: Array<{ category: string; key: string; value: JsonValue }>;
  status: 'active' | 'promoted' | 'rolled_back';
  closed_at: string | null;
  closed_by: string | null;
  version_id: number | null;
}

/**
 * Where a request falls in 0–100, from the SHA-256 of its key (e.g. `USDC:1000000:30`): the same request
 * always lands in the same bucket, in every process, so a percentage canary is deterministic.
 */
export function canaryBucket(requestKey: string): number {
  const h = createHash('sha256').update(requestKey).digest();
  return (h.readUInt32BE(0) / 2 ** 32) * 100;
}

/** `serve-2` → a process; `10%` → a share of requests. */
export function parseCanaryTarget(text: string): CanaryTarget {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) {
    const percent = Number(pct[1]);
    if (!(percent > 0 && percent <= 100))
      throw new ValidationError(`canary share must be in (0, 100] %, got ${t}`);
    return { percent };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(t)) {
    throw new ValidationError(
      `canary must name a process (e.g. serve-2) or a share (e.g. 10%), got "${text}"`,
    );
  }
  return { process: t };
}

export function describeTarget(t: CanaryTarget): string {
  return 'process' in t ? `process ${t.process}` : `${t.percent}% of requests`;
}

export interface CanaryRow {
  id: string | number;
  created_at: Date | string;
  who: string;
  reason: string;
  env: string;
  target_process: string | null;
  target_percent: number | null;
  changes: Canary['changes'];
  status: Canary['status'];
  closed_at: Date | string | null;
  closed_by: string | null;
  version_id: string | number | null;
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

export function toCanary(r: CanaryRow): Canary {
  return {
    id: Number(r.id),
    created_at: iso(r.created_at),
    who: r.who,
    reason: r.reason,
    env: r.env,
    target: r.target_process !== null ? { process: r.target_process } : { percent: Number(r.target_percent) },
    changes: r.changes,
    status: r.status,
    closed_at: r.closed_at === null ? null : iso(r.closed_at),
    closed_by: r.closed_by,
    version_id: r.version_id === null ? null : Number(r.version_id),
  };
}

/** Canaries, newest first; only active ones unless `all`; of one environment when given. */
export async function selectCanaries(
  q: Queryable,
  opts: { env?: string; all?: boolean } = {},
): Promise<Canary[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!opts.all) where.push("status = 'active'");
  if (opts.env !== undefined) {
    params.push(opts.env);
    where.push(`env = $${params.length}`);
  }
  const res = await q.query<CanaryRow>(
    `SELECT * FROM config.canaries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`,
    params,
  );
  return res.rows.map(toCanary);
}
