/**
 * Live alerts for every page: one `/ws/alerts` connection per tab (depeg alerts and recoveries, live VaR),
 * started with the stored alerts of the last day (`GET /api/alerts`). Shared reactive state, so the banner
 * and the Risk page read the same stream.
 */
import { ref } from 'vue';
import type { Alert, Alerts, RiskUpdateMessage } from '../../../src/api/contract/alerts.ts';
import { getJson, qs } from './api.ts';
import { type LiveState, openLive } from './live.ts';

/** An alert as `GET /api/alerts` lists it and `depeg_alert`/`depeg_recovery` carry it (without `details`). */
export type AlertItem = Omit<Alert, 'details' | 'recovered_at'> & {
  recovered_at: string | null;
  /** `details.message` of a reconciliation alert (one line saying what differs). */
  message?: string;
};

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An alert row off the wire (a WebSocket message is not validated by the server's schema), or null. */
export function asAlert(r: unknown): AlertItem | null {
  if (!isFields(r)) return null;
  const id = num(r.id);
  const asset = str(r.asset);
  const ts = str(r.ts);
  if (id === null || !asset || !ts) return null;
  return {
    id,
    type: r.type === 'supply_drop' || r.type === 'reconcile_mismatch' ? r.type : 'depeg',
    asset,
    ts,
    price: num(r.price) ?? Number.NaN,
    threshold: num(r.threshold) ?? Number.NaN,
    venues: Array.isArray(r.venues) ? r.venues.filter((v): v is string => typeof v === 'string') : [],
    state: r.state === 'recovered' ? 'recovered' : 'open',
    recovered_at: str(r.recovered_at),
    message: isFields(r.details) ? (str(r.details.message) ?? undefined) : undefined,
  };
}

/** `list` with `a` added or replacing the alert of the same id, newest first, at most `max`. */
export function mergeAlert(list: readonly AlertItem[], a: AlertItem, max = 20): AlertItem[] {
  const rest = list.filter((x) => x.id !== a.id);
  return [a, ...rest].sort((x, y) => (x.ts < y.ts ? 1 : x.ts > y.ts ? -1 : y.id - x.id)).slice(0, max);
}

type LiveVarFigure = 'var_95' | 'var_99' | 'cvar_95' | 'expected_loss' | 'simulations';

/** A `risk_update` message (the contract's RiskUpdateMessage) as the Risk page shows it; null = not sent. */
export type RiskUpdate = Pick<RiskUpdateMessage, 'ts'> & {
  [K in LiveVarFigure]: RiskUpdateMessage[K] | null;
} & {
  trigger: { symbol: string; price: number | null; move: number | null } | null;
};

export function asRiskUpdate(m: Fields): RiskUpdate {
  const t = isFields(m.trigger) ? m.trigger : null;
  return {
    ts: str(m.ts) ?? new Date().toISOString(),
    var_95: num(m.var_95),
    var_99: num(m.var_99),
    cvar_95: num(m.cvar_95),
    expected_loss: num(m.expected_loss),
    simulations: num(m.simulations),
    trigger: t ? { symbol: str(t.symbol) ?? '?', price: num(t.price), move: num(t.move) } : null,
  };
}

const alerts = ref<AlertItem[]>([]);
const risk = ref<RiskUpdate | null>(null);
const state = ref<LiveState>('connecting');
let started = false;

/** Starts the stream on first use (App.vue), then hands out the shared state. */
export function useLiveAlerts() {
  if (!started && typeof window !== 'undefined') {
    started = true;
    const since = new Date(Date.now() - 86_400_000).toISOString();
    void getJson<Alerts>(`/api/alerts${qs({ since })}`, 'alerts').then(
      (body) => {
        for (const r of body.alerts) {
          const a = asAlert(r);
          if (a) alerts.value = mergeAlert(alerts.value, a);
        }
      },
      () => undefined,
    );
    openLive({
      path: '/ws/alerts',
      onState: (s) => {
        state.value = s;
      },
      onMessage: (m) => {
        if (m.type === 'depeg_alert' || m.type === 'depeg_recovery') {
          const a = asAlert(m.alert);
          if (a) alerts.value = mergeAlert(alerts.value, a);
        } else if (m.type === 'risk_update') risk.value = asRiskUpdate(m);
      },
    });
  }
  return { alerts, risk, state };
}
