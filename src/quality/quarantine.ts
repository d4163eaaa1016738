/**
 * Quarantine: rows the quality gate refused, kept in `ops.quarantine` with the raw row, source, rule and
 * reason — never dropped. A human (or a rule change) can release them back through the gate, or purge them.
 */
import type { PricePoint, StoredBar } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';

export type QuarantinedRow = StoredBar | PricePoint;

/**
 * A record of the economic, news or events loaders as they refused it (an `Observation`, an article with its
 * sentiments, a dividend…), read back from JSON: non-finite numbers are the text `"NaN"`, `"Infinity"`.
 */
export type QuarantinedRecord = Readonly<Record<string, unknown>>;

export interface QuarantineInput {
  row: QuarantinedRow;
  rule: string;
  reason: string;
}

export interface QuarantineEntry {
  id: number;
  symbol: string | null;
  interval: string | null;
  source: string;
  rule: string;
  reason: string;
  /** A bar or point price; a `QuarantinedRecord` when `recordModule(interval)` is not null. */
  raw: QuarantinedRow | QuarantinedRecord;
  ts: string | null;
  created_at: string;
  released_at: string | null;
}

/**
 * The module that owns a quarantined record of the economic, news or events loaders (their `interval` is
 * `economic`, `news` or `events` / `events:<kind>`, see economic/quarantine-records.ts), or null for a price
 * bar or point. Those records are not bars: release re-validates them with their own loader's rules
 * (release-records.ts), not through the price gate.
 */
export function recordModule(interval: string | null): 'economic' | 'news' | 'events' | null {
  if (interval === 'economic' || interval === 'news') return interval;
  if (interval === 'events' || interval?.startsWith('events:')) return 'events';
  return null;
}

/** Rule of the audit rows written for stored values overwritten by a newer source (already released). */
export const REPLACED_RULE = 'replaced_by_newer';

/** True for a bar (it has OHLC), false for a point price. */
export function isBarRow(row: QuarantinedRow): row is StoredBar {
  return 'close' in row && 'interval' in row;
}

const INSERT_COLUMNS = [
  'symbol',
  'interval',
  'source',
  'rule',
  'reason',
  'raw',
  'ts',
  'released_at',
] as const;

/** The raw JSON as stored: non-finite numbers as text (JSON.stringify would turn NaN into null). */
function rawOf(row: QuarantinedRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? String(v) : v]),
  );
}

/** Key-order-independent JSON, undefined fields left out (as jsonb stores them). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function identity(
  symbol: string | null,
  interval: string | null,
  ts: number | null,
  rule: string,
  raw: unknown,
): string {
  // The source is left out: the same refused value from a renamed file or another provider is the same row.
  const { source: _source, ...values } = (raw ?? {}) as Record<string, unknown>;
  return `${symbol ?? ''}|${interval ?? ''}|${ts ?? ''}|${rule}|${canonical(values)}`;
}

/**
 * Identities of the pending quarantine rows that `rows` could repeat (same symbols, rules and time span): a
 * re-import or re-ingest of the same refused row adds nothing (issue 25).
 */
async function pendingIdentities(
  db: Queryable,
  rows: ReadonlyArray<{ symbol: string | null; ts: number | null; rule: string }>,
): Promise<Set<string>> {
  const symbols = [...new Set(rows.map((r) => r.symbol).filter((s): s is string => s !== null))];
  const rules = [...new Set(rows.map((r) => r.rule))];
  const times = rows.map((r) => r.ts).filter((t): t is number => t !== null);
  let hi = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const t of times) {
    if (t > hi) hi = t;
    if (t < min) min = t;
  }
  const res = await db.query<{
    symbol: string | null;
    interval: string | null;
    rule: string;
    raw: unknown;
    ts: number | null;
  }>(
    `SELECT symbol, interval, rule, raw, (extract(epoch FROM ts) * 1000)::float8 AS ts FROM ops.quarantine
      WHERE released_at IS NULL AND rule = ANY($1::text[])
        AND (symbol = ANY($2::text[]) OR symbol IS NULL)
        AND ((ts >= $3::timestamptz AND ts <= $4::timestamptz) OR ts IS NULL)`,
    [
      rules,
      symbols,
      new Date(times.length ? min : 0).toISOString(),
      new Date(times.length ? hi : 0).toISOString(),
    ],
  );
  return new Set(
    res.rows.map((r) =>
      identity(
        r.symbol,
        r.interval,
        r.ts === null ? null : Number(r.ts),
        r.rule,
        typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw,
      ),
    ),
  );
}

async function insertRows(
  db: Queryable,
  rows: ReadonlyArray<{ row: QuarantinedRow; rule: string; reason: string; released: boolean }>,
  source: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  const now = new Date();
  const prepared = rows.map(({ row, rule, reason, released }) => ({
    symbol: typeof row.symbol === 'string' ? row.symbol : null,
    interval: isBarRow(row) ? row.interval : null,
    source: row.source || source,
    rule,
    reason,
    raw: rawOf(row),
    ts: Number.isFinite(row.ts) ? row.ts : null,
    released,
  }));
  const pending = prepared.filter((r) => !r.released);
  const seen = pending.length ? await pendingIdentities(db, pending) : new Set<string>();
  const fresh = prepared.filter((r) => {
    if (r.released) return true;
    const id = identity(r.symbol, r.interval, r.ts, r.rule, r.raw);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  if (fresh.length === 0) return 0;
  return db.copyRows(
    'ops.quarantine',
    INSERT_COLUMNS,
    fresh.map((r) => [
      r.symbol,
      r.interval,
      r.source,
      r.rule,
      r.reason,
      r.raw,
      r.ts === null ? null : new Date(r.ts),
      r.released ? now : null,
    ]),
  );
}

/**
 * Writes refused rows with their rule and reason; returns how many were written. A row already pending in
 * quarantine (same symbol, interval, time, rule and raw values) is not written again.
 */
export function quarantineRows(
  db: Queryable,
  rejected: readonly QuarantineInput[],
  source: string,
): Promise<number> {
  return insertRows(
    db,
    rejected.map((r) => ({ ...r, released: false })),
    source,
  );
}

/**
 * Keeps stored values that a newer source overwrote (the gate's `replaced`), as already-released
 * quarantine rows with rule `replaced_by_newer`, so nothing good is ever lost.
 */
export function auditReplaced(
  db: Queryable,
  replaced: ReadonlyArray<{ previous: QuarantinedRow; by: QuarantinedRow }>,
  source: string,
): Promise<number> {
  return insertRows(
    db,
    replaced.map(({ previous, by }) => ({
      row: previous,
      rule: REPLACED_RULE,
      reason: `Replaced by ${by.source} at ${new Date(by.ts).toISOString()}`,
      released: true,
    })),
    source,
  );
}

const SELECT = `SELECT id::int AS id, symbol, interval, source, rule, reason, raw,
  to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(released_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS released_at
  FROM ops.quarantine`;

function parseRaw(raw: unknown): QuarantinedRow {
  const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v;
  }
  return out as unknown as QuarantinedRow;
}

function toEntry(r: Omit<QuarantineEntry, 'raw'> & { raw: unknown }): QuarantineEntry {
  // Records keep non-finite numbers as text: their decoders (release-records.ts) know which fields are numbers.
  const raw =
    recordModule(r.interval) === null
      ? parseRaw(r.raw)
      : ((typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw) as QuarantinedRecord);
  return { ...r, id: Number(r.id), raw };
}

export interface ListQuarantineOptions {
  rule?: string;
  symbol?: string;
  /** Include released rows. @defaultValue false */
  includeReleased?: boolean;
  /** @defaultValue 100 */
  limit?: number;
}

/** Pending quarantine rows, newest first. */
export async function listQuarantine(
  db: Queryable,
  opts: ListQuarantineOptions = {},
): Promise<QuarantineEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!opts.includeReleased) where.push('released_at IS NULL');
  if (opts.rule) {
    params.push(opts.rule);
    where.push(`rule = $${params.length}`);
  }
  if (opts.symbol) {
    params.push(opts.symbol);
    where.push(`symbol = $${params.length}`);
  }
  params.push(opts.limit ?? 100);
  const res = await db.query<Omit<QuarantineEntry, 'raw'> & { raw: unknown }>(
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return res.rows.map(toEntry);
}

/** Pending quarantine rows per rule. */
export async function countQuarantineByRule(db: Queryable): Promise<Record<string, number>> {
  const res = await db.query<{ rule: string; n: number }>(
    'SELECT rule, count(*)::int AS n FROM ops.quarantine WHERE released_at IS NULL GROUP BY rule ORDER BY rule',
  );
  return Object.fromEntries(res.rows.map((r) => [r.rule, Number(r.n)]));
}

/** What a release loader reports for the entries it was given. */
export interface ReleaseOutcome {
  /** Ids now loaded into the store (or found unchanged). */
  loaded: number[];
  /** Ids the gate refused again, with the new reason. */
  refused: Array<{ id: number; rule: string; reason: string }>;
  /** Ids that cannot be released at all (nothing loadable in `raw`): left pending as they are, with why. */
  skipped?: Array<{ id: number; interval: string; reason: string }>;
}

export interface ReleaseResult extends ReleaseOutcome {
  /** Ids given that are not pending in quarantine. */
  missing: number[];
  skipped: Array<{ id: number; interval: string; reason: string }>;
}

/**
 * Releases quarantine rows: `loader` re-validates them (with the current rules) and loads the good ones;
 * loaded rows are marked released, refused ones stay with their new rule and reason, skipped ones stay as
 * they are. A released row is no longer pending, so releasing it again loads nothing twice (it is `missing`).
 */
export async function releaseQuarantine(
  db: Queryable,
  ids: readonly number[],
  loader: (entries: QuarantineEntry[]) => Promise<ReleaseOutcome>,
): Promise<ReleaseResult> {
  if (ids.length === 0) return { loaded: [], refused: [], missing: [], skipped: [] };
  const res = await db.query<Omit<QuarantineEntry, 'raw'> & { raw: unknown }>(
    `${SELECT} WHERE id = ANY($1::bigint[]) AND released_at IS NULL ORDER BY id`,
    [ids],
  );
  const entries = res.rows.map(toEntry);
  const found = new Set(entries.map((e) => e.id));
  const missing = ids.filter((id) => !found.has(id));
  const outcome: ReleaseOutcome = entries.length ? await loader(entries) : { loaded: [], refused: [] };
  if (outcome.loaded.length) {
    await db.query('UPDATE ops.quarantine SET released_at = now() WHERE id = ANY($1::bigint[])', [
      outcome.loaded,
    ]);
  }
  for (const r of outcome.refused) {
    await db.query('UPDATE ops.quarantine SET rule = $2, reason = $3 WHERE id = $1', [
      r.id,
      r.rule,
      r.reason,
    ]);
  }
  return { loaded: outcome.loaded, refused: outcome.refused, missing, skipped: outcome.skipped ?? [] };
}

/** Deletes quarantine rows created before `now - olderThanMs`; returns how many. */
export async function purgeQuarantine(db: Queryable, olderThanMs: number, now = Date.now()): Promise<number> {
  const res = await db.query('DELETE FROM ops.quarantine WHERE created_at < $1::timestamptz', [
    new Date(now - olderThanMs).toISOString(),
  ]);
  return res.rowCount;
}
