import { z } from 'zod';
import { ALERT_TYPES } from '../../core/alerts.ts';
import { errorResponses, TimeText } from './common.ts';

/**
 * Live alerts (`GET /api/alerts`, the shape of `alerts list --json`) and the messages `/ws/alerts` pushes:
 * `depeg_alert`/`depeg_recovery` (`depeg_alerts`) and `risk_update` (`risk_updates`, live VaR).
 */

const AlertsQuery = z.object({
  type: z.string().max(32).optional().describe(ALERT_TYPES.join(' | ')),
  since: TimeText.optional().describe('ISO date/time or Unix seconds'),
  asset: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const Alert = z.object({
  id: z.number().int(),
  type: z.enum(ALERT_TYPES),
  asset: z.string(),
  /** When the alert was raised (ISO-8601 UTC). */
  ts: z.string().meta({ format: 'date-time' }),
  /** Composite price at the crossing that opened the episode. */
  price: z.number(),
  /** Relative distance from the peg that counted as off peg. */
  threshold: z.number(),
  venues: z.array(z.string()),
  state: z.enum(['open', 'recovered']),
  recovered_at: z.string().nullable().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Alert = z.infer<typeof Alert>;

const Alerts = z.object({ alerts: z.array(Alert) });
export type Alerts = z.infer<typeof Alerts>;

/** `/ws/alerts` `depeg_alert` (an episode opened) and `depeg_recovery` (it closed): the alert's row. */
export const DepegAlertMessage = z.object({
  type: z.enum(['depeg_alert', 'depeg_recovery']),
  ts: z.string(),
  alert: Alert,
});
export type DepegAlertMessage = z.infer<typeof DepegAlertMessage>;

/** `/ws/alerts` `risk_update`: VaR of the stored portfolio recomputed after a significant move. */
export const RiskUpdateMessage = z.object({
  type: z.literal('risk_update'),
  ts: z.string(),
  trigger: z.object({ symbol: z.string(), price: z.number(), reference: z.number(), move: z.number() }),
  portfolio: z.string(),
  var_95: z.number(),
  var_99: z.number(),
  cvar_95: z.number(),
  expected_loss: z.number(),
  worst_case: z.number(),
  best_case: z.number(),
  simulations: z.number(),
  horizon_days: z.number(),
  simulation_time_ms: z.number(),
});
export type RiskUpdateMessage = z.infer<typeof RiskUpdateMessage>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const alertRoutes = {
  list: {
    summary: 'Stored live alerts (depeg episodes), newest first; open ones are always included',
    tags: ['alerts'],
    querystring: AlertsQuery,
    response: { 200: Alerts, ...errorResponses },
  },
} as const;
