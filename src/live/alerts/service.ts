import { ALERT_TYPES, type AlertType } from '../../core/alerts.ts';
import { ValidationError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { Queryable } from '../../store/db.ts';
import { type AlertRow, listAlerts } from '../../store/repos/alerts.ts';

export interface AlertQuery {
  /** `depeg`. */
  type?: string;
  /** ISO date/time or Unix seconds/ms: alerts raised since, plus every one still open. */
  since?: string;
  asset?: string;
  limit?: number;
}

/** What `alerts list --json` prints and `GET /api/alerts` answers. */
export interface AlertList {
  alerts: AlertRow[];
}

/** Stored live alerts, newest first; a bad `type` or `since` is a ValidationError naming it. */
export async function readAlerts(db: Queryable, q: AlertQuery = {}): Promise<AlertList> {
  let type: AlertType | undefined;
  if (q.type !== undefined) {
    const t = ALERT_TYPES.find((x) => x === q.type);
    if (!t) throw new ValidationError(`type: expected one of ${ALERT_TYPES.join(', ')}, got "${q.type}"`);
    type = t;
  }
  const since = q.since === undefined ? undefined : parseTime(q.since, 'since');
  const asset = q.asset?.trim().toUpperCase() || undefined;
  return { alerts: await listAlerts(db, { type, since, asset, limit: q.limit }) };
}
