/**
 * Repository of live alerts (`alerts.alerts`, migration 098). An alert row is one episode: inserted
 * `open` when it is raised, updated to `recovered` when it ends.
 */
import type { AlertType } from '../../core/alerts.ts';
import { toIso } from '../../core/time.ts';
import type { Queryable } from '../db.ts';

type AlertState = 'open' | 'recovered';

/** One alert as `alerts list --json` and `GET /api/alerts` show it. */
export interface AlertRow {
  id: number;
  type: AlertType;
  asset: string;
  /** When the alert was raised (ISO-8601 UTC). */
  ts: string;
  /** Composite price at the crossing that opened the episode. */
  price: number;
  /** Relative distance from the peg that counted as off peg. */
  threshold: number;
  venues: string[];
  state: AlertState;
  recovered_at: string | null;
  details: Record<string, unknown>;
}

export interface NewAlert {
  type: AlertType;
  asset: string;
  /** Epoch ms. */
  ts: number;
  price: number;
  threshold: number;
  venues: readonly string[];
  details: Record<string, unknown>;
}

interface DbRow {
  id: number | string;
  type: AlertType;
  asset: string;
  ts: Date | string;
  price: number;
  threshold: number;
  venues: string[];
  state: AlertState;
  recovered_at: Date | string | null;
  details: Record<string, unknown> | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

function toAlert(r: DbRow): AlertRow {
  return {
    id: Number(r.id),
    type: r.type,
    asset: r.asset,
    ts: iso(r.ts),
    price: Number(r.price),
    threshold: Number(r.threshold),
    venues: r.venues,
    state: r.state,
    recovered_at: r.recovered_at === null ? null : iso(r.recovered_at),
    details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
  };
}

const COLUMNS = 'id, type, asset, ts, price, threshold, venues, state, recovered_at, details';

/**
 * Takes the next alert id without inserting: the live notifier reserves one when a hold starts, so the
 * alert can be published the moment the hold elapses and stored just after. Unused ids leave gaps only.
 */
export async function reserveAlertId(db: Queryable): Promise<number> {
  const res = await db.query<{ id: number | string }>(`SELECT nextval('alerts.alerts_id_seq') AS id`);
  const row = res.rows[0];
  if (!row) throw new Error('nextval gave no row');
  return Number(row.id);
}

/** Stores a new alert, `open`; with `id` (from reserveAlertId) that id is used. */
export async function insertAlert(db: Queryable, a: NewAlert, id?: number): Promise<AlertRow> {
  const res = await db.query<DbRow>(
    `INSERT INTO alerts.alerts (id, type, asset, ts, price, threshold, venues, details)
     VALUES (COALESCE($8::bigint, nextval('alerts.alerts_id_seq')), $1, $2, $3, $4, $5, $6::text[], $7::jsonb)
     RETURNING ${COLUMNS}`,
    [
      a.type,
      a.asset,
      toIso(a.ts),
      a.price,
      a.threshold,
      [...a.venues],
      JSON.stringify(a.details),
      id ?? null,
    ],
  );
  const row = res.rows[0];
  if (!row) throw new Error('INSERT … RETURNING gave no row');
  return toAlert(row);
}

/** Marks an open alert recovered, merging `details`; null when it is unknown or already recovered. */
export async function recoverAlert(
  db: Queryable,
  id: number,
  at: number,
  details: Record<string, unknown>,
): Promise<AlertRow | null> {
  const res = await db.query<DbRow>(
    `UPDATE alerts.alerts SET state = 'recovered', recovered_at = $2, details = details || $3::jsonb
      WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
    [id, toIso(at), JSON.stringify(details)],
  );
  const row = res.rows[0];
  return row ? toAlert(row) : null;
}

export interface AlertFilter {
  type?: AlertType;
  /** Epoch ms: alerts raised at or after, or still open. */
  since?: number;
  asset?: string;
  /** @defaultValue 500 */
  limit?: number;
}

/** Alerts newest first. */
export async function listAlerts(db: Queryable, filter: AlertFilter = {}): Promise<AlertRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.type !== undefined) {
    params.push(filter.type);
    where.push(`type = $${params.length}`);
  }
  if (filter.asset !== undefined) {
    params.push(filter.asset);
    where.push(`asset = $${params.length}`);
  }
  if (filter.since !== undefined) {
    params.push(toIso(filter.since));
    where.push(`(ts >= $${params.length} OR state = 'open')`);
  }
  params.push(filter.limit ?? 500);
  const res = await db.query<DbRow>(
    `SELECT ${COLUMNS} FROM alerts.alerts${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ts DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return res.rows.map(toAlert);
}
