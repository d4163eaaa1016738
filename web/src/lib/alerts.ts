/**
 * Live alerts for every page: one `/ws/alerts` connection per tab (depeg alerts and recoveries, live VaR),
 * started with the stored alerts of the last day (`GET /api/alerts`). Shared reactive state, so the banner
 * and the Risk page read the same stream.
 */
import { ref } from 'vue';
import { getJson, qs } from './api.ts';
import { type LiveState, openLive } from './live.ts';
import { isRow, listOf, numOf, type Row, strOf } from './shapes.ts';

export interface AlertItem {
  id: number;
  type: string;
  asset: string;
  ts: string;
  price: number;
  threshold: number;
  venues: string[];
  state: 'open' | 'recovered';
  recovered_at: string | null;
  /** `details.message` of a reconciliation alert (one line saying what differs). */
  message?: string;
}

export function asAlert(r: unknown): AlertItem | null {
  if (!isRow(r)) return null;
  const id = numOf(r, 'id');
  const asset = strOf(r, 'asset');
  const ts = strOf(r, 'ts');
  if (id === null || !asset || !ts) return null;
  return {
    id,
    type: strOf(r, 'type') ?? 'depeg',
    asset,
    ts,
    price: numOf(r, 'price') ?? Number.NaN,
    threshold: numOf(r, 'threshold') ?? Number.NaN,
    venues: Array.isArray(r.venues) ? r.venues.filter((v): v is string => typeof v === 'string') : [],
    state: strOf(r, 'state') === 'recovered' ? 'recovered' : 'open',
    recovered_at: strOf(r, 'recovered_at'),
    message: isRow(r.details) ? (strOf(r.details, 'message') ?? undefined) : undefined,
  };
}

/** `list` with `a` added or replacing the alert of the same id, newest first, at most `max`. */
export function mergeAlert(list: readonly AlertItem[], a: AlertItem, max = 20): AlertItem[] {
  const rest = list.filter((x) => x.id !== a.id);
  return [a, ...rest].sort((x, y) => (x.ts < y.ts ? 1 : x.ts > y.ts ? -1 : y.id - x.id)).slice(0, max);
}

export interface RiskUpdate {
  ts: string;
  var_95: number | null;
  var_99: number | null;
  cvar_95: number | null;
  expected_loss: number | null;
  simulations: number | null;
  trigger: { symbol: string; price: number | null; move: number | null } | null;
}

export function asRiskUpdate(m: Row): RiskUpdate {
  const t = isRow(m.trigger) ? m.trigger : null;
  return {
    ts: strOf(m, 'ts') ?? new Date().toISOString(),
    var_95: numOf(m, 'var_95'),
    var_99: numOf(m, 'var_99'),
    cvar_95: numOf(m, 'cvar_95'),
    expected_loss: numOf(m, 'expected_loss'),
    simulations: numOf(m, 'simulations'),
    trigger: t
      ? { symbol: strOf(t, 'symbol') ?? '?', price: numOf(t, 'price'), move: numOf(t, 'move') }
      : null,
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
    void getJson<unknown>(`/api/alerts${qs({ since })}`, 'alerts').then(
      (body) => {
        for (const r of listOf(body, 'alerts')) {
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
