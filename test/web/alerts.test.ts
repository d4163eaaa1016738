import { describe, expect, it } from 'vitest';
import { type AlertItem, asAlert, asRiskUpdate, mergeAlert } from '../../web/src/lib/alerts.ts';

const alert = (id: number, ts: string, state: AlertItem['state'] = 'open'): AlertItem => ({
  id,
  type: 'depeg',
  asset: 'USDC',
  ts,
  price: 0.98,
  threshold: 0.005,
  venues: ['kraken'],
  state,
  recovered_at: state === 'recovered' ? ts : null,
});

describe('dashboard live alerts state (web/src/lib/alerts.ts)', () => {
  it('reads an alert row as GET /api/alerts and depeg_alerts send it, refusing rows without id/asset/ts', () => {
    expect(
      asAlert({
        id: 7,
        type: 'depeg',
        asset: 'USDC',
        ts: '2023-03-10T22:30:05.000Z',
        price: 0.99,
        threshold: 0.005,
        venues: ['kraken', 1],
        state: 'open',
      }),
    ).toMatchObject({ id: 7, asset: 'USDC', venues: ['kraken'], state: 'open', recovered_at: null });
    expect(
      asAlert({
        id: 8,
        type: 'reconcile_mismatch',
        asset: 'BTC',
        ts: '2024-01-02T00:00:00.000Z',
        details: { kind: 'order_unknown', message: 'the venue reports order web-1 that we never placed' },
      }),
    ).toMatchObject({
      type: 'reconcile_mismatch',
      message: 'the venue reports order web-1 that we never placed',
    });
    expect(asAlert({ asset: 'USDC', ts: 'x' })).toBeNull();
    expect(asAlert('nope')).toBeNull();
  });

  it('a recovery replaces its alert (same id); the list stays newest first and bounded', () => {
    let list = mergeAlert([], alert(1, '2023-03-10T22:30:05.000Z'));
    list = mergeAlert(list, alert(2, '2023-03-11T00:30:05.000Z'));
    list = mergeAlert(list, alert(1, '2023-03-10T22:30:05.000Z', 'recovered'));
    expect(list.map((a) => [a.id, a.state])).toEqual([
      [2, 'open'],
      [1, 'recovered'],
    ]);
    for (let i = 3; i < 40; i++)
      list = mergeAlert(list, alert(i, `2023-03-12T00:00:${String(i).padStart(2, '0')}.000Z`));
    expect(list).toHaveLength(20);
    expect(list[0]?.id).toBe(39);
  });

  it('reads a risk_update message', () => {
    const r = asRiskUpdate({
      type: 'risk_update',
      ts: '2026-01-01T00:00:00.000Z',
      var_95: 10,
      var_99: 20,
      trigger: { symbol: 'USDT', price: 0.98, move: -0.02 },
    });
    expect(r).toMatchObject({
      var_95: 10,
      var_99: 20,
      cvar_95: null,
      trigger: { symbol: 'USDT', move: -0.02 },
    });
  });
});
