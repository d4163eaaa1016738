import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../../test/store/backends.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { scenario } from '../../risk/testing.ts';
import type { Db } from '../db.ts';
import {
  addScenario,
  getPortfolio,
  getReportJson,
  insertVarResult,
  linkScenarioEvent,
  listScenarios,
  savePortfolio,
  saveReport,
  setScenarioEnabled,
  storedCorrelations,
  storedDepegEvents,
  varHistory,
} from './risk.ts';

for (const backend of await testBackends('risk')) {
  describe(`risk repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => backend.dispose(db));

    it('seeds five default scenarios including SVB exactly as specified, weights normalised', async () => {
      const all = await listScenarios(db);
      expect(all.length).toBe(5);
      const svb = all.find((s) => s.name === 'Banking Crisis (SVB)');
      expect(svb).toMatchObject({
        assetImpacts: { USDC: 0.88, USDT: 1.02, DAI: 1.01 },
        btcImpact: 0.27,
        correlationShift: -0.3,
        volatilityMultiplier: 2.5,
        probabilityAnnual: 0.2,
        weight: 1.5,
        enabled: true,
        isDefault: true,
      });
      // Seed weights 1.5 + 1.2 + 1.0 + 2.0 + 1.0 = 6.7.
      expect(svb?.normalizedWeight).toBeCloseTo(1.5 / 6.7, 12);
      const view = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM risk.active_scenarios');
      expect(Number(view.rows[0]?.n)).toBe(5);
    });

    it('adds, rejects duplicates, disables and re-enables by name', async () => {
      const added = await addScenario(
        db,
        scenario({ name: 'Test Shock', assetImpacts: { USDC: 0.5 }, weight: 3.3 }),
      );
      expect(added.normalizedWeight).toBeCloseTo(3.3 / 10, 12);
      await expect(addScenario(db, scenario({ name: 'Test Shock' }))).rejects.toBeInstanceOf(ConflictError);
      const off = await setScenarioEnabled(db, 'Test Shock', false);
      expect(off).toMatchObject({ enabled: false, normalizedWeight: 0 });
      expect((await listScenarios(db, { enabledOnly: true })).length).toBe(5);
      await expect(setScenarioEnabled(db, 'Nope', true)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('round-trips portfolios, VaR history (latest per day) and reports', async () => {
      const p = {
        name: 'book',
        capital: 5e7,
        activePolicies: 3,
        positions: [{ asset: 'USDC', exposure: 1e7, kind: 'coverage' as const }],
      };
      await savePortfolio(db, p);
      await savePortfolio(db, { ...p, capital: 6e7 });
      expect(await getPortfolio(db, 'book')).toEqual({ ...p, capital: 6e7, capacity: undefined });
      expect(await getPortfolio(db, 'none')).toBeNull();
      const r = {
        var_95: 1,
        var_99: 2,
        cvar_95: 3,
        expected_loss: 0.5,
        worst_case: 9,
        best_case: 0,
        scenarios_used: 5,
        simulations: 100,
        simulation_time_ms: 1,
        horizon_days: 30,
        seed: 1,
      };
      await insertVarResult(db, 'book', '2024-03-01', r);
      await insertVarResult(db, 'book', '2024-03-01', { ...r, var_95: 10 });
      await insertVarResult(db, 'book', '2024-03-02', { ...r, var_95: 20 });
      const h = await varHistory(db, 'book', '2024-02-01', '2024-03-02');
      expect(h.map((x) => [x.date, x.var_95])).toEqual([
        ['2024-03-01', 10],
        ['2024-03-02', 20],
      ]);
      await saveReport(db, '2024-03-02', 'book', { a: 1 }, '<html></html>');
      await saveReport(db, '2024-03-02', 'book', { a: 2 }, '<html></html>');
      expect(await getReportJson(db, '2024-03-02')).toEqual({ a: 2 });
    });

    it('reads derived.depeg_events and derived.asset_correlations (migration 020)', async () => {
      expect(await storedDepegEvents(db, ['USDC'])).toEqual([]);
      expect(await storedCorrelations(db, ['USDC', 'BTC'])).toEqual(new Map());
      await db.exec(`INSERT INTO derived.depeg_events
          (asset, start_time, min_price, min_price_at, duration_seconds, severity_score, peg, threshold, source)
        VALUES ('USDC', '2023-03-11', 0.878, '2023-03-11T07:00:00Z', 3600, 0.5, 1, 0.99, 'test');
        INSERT INTO derived.asset_correlations (asset_1, asset_2, window_days, correlation, data_points, as_of)
        VALUES ('BTC', 'USDC', 90, 0.2, 90, '2024-02-01'), ('BTC', 'USDC', 30, 0.9, 30, '2024-03-01');`);
      expect(await storedDepegEvents(db, ['USDC', 'DAI'])).toEqual([
        { asset: 'USDC', minPrice: 0.878, peg: 1, start: Date.parse('2023-03-11T00:00:00Z') },
      ]);
      expect(
        await linkScenarioEvent(db, 'Banking Crisis (SVB)', 'USDC', '2023-03-11T00:00:00Z', 'SVB'),
      ).toEqual({
        depegEventId: expect.any(Number),
      });
      expect(await linkScenarioEvent(db, 'Banking Crisis (SVB)', 'DAI', '2023-03-11T00:00:00Z')).toEqual({
        depegEventId: null,
      });
      const links = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM risk.scenario_events');
      expect(Number(links.rows[0]?.n)).toBe(2);
      expect(await storedCorrelations(db, ['USDC', 'BTC'])).toEqual(new Map([['BTC|USDC', 0.2]]));
    });
  });
}
