import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBackend, testBackends } from '../../../test/store/backends.ts';
import type { Db } from '../db.ts';
import { getRun, insertRun, listDefinitions, listRuns, type NewRun, upsertDefinition } from './strategies.ts';

const backends = await testBackends('strategies');

const run: NewRun = {
  strategy: 'ma-crossover',
  symbols: ['AAPL', 'MSFT'],
  interval: '1d',
  from: Date.UTC(2024, 0, 1),
  to: Date.UTC(2024, 5, 1),
  params: { fast: 10, slow: 30 },
  config: { fill: 'next_open' },
  mode: 'historical',
  metrics: { total_return: 0.1, profit_factor: Number.POSITIVE_INFINITY },
  benchmark: { total_return: 0.05 },
  equity: { ts: [1, 2], equity: [100, 110] },
  trades: [{ symbol: 'AAPL', pnl: 10 }],
};

for (const backend of backends) {
  describe(`strategies repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await (backend as TestBackend).dispose(db);
    });

    it('upserts definitions by name', async () => {
      const a = await upsertDefinition(db, { name: 'ma-crossover', kind: 'builtin', params: { fast: 5 } });
      const b = await upsertDefinition(db, { name: 'ma-crossover', kind: 'builtin', params: { fast: 10 } });
      expect(b).toBe(a);
      expect((await listDefinitions(db)).map((d) => [d.name, d.params])).toEqual([
        ['ma-crossover', { fast: 10 }],
      ]);
    });

    it('stores a run with its signals and reads it back', async () => {
      const id = await insertRun(db, run, [
        {
          ts: Date.UTC(2024, 0, 2),
          symbol: 'AAPL',
          side: 'buy',
          qty: 10,
          price: 185.5,
          fee: 1,
          reason: 'fast_above_slow',
        },
        {
          ts: Date.UTC(2024, 1, 2),
          symbol: 'AAPL',
          side: 'sell',
          qty: 10,
          price: 190,
          fee: 1,
          reason: 'fast_below_slow',
        },
      ]);
      const got = await getRun(db, id, { withSignals: true });
      expect(got).toMatchObject({ ...run, id, metrics: { total_return: 0.1, profit_factor: null } });
      expect(got?.signals?.map((s) => [s.side, s.price])).toEqual([
        ['buy', 185.5],
        ['sell', 190],
      ]);
      const list = await listRuns(db, { strategy: 'ma-crossover' });
      expect(list.map((r) => r.id)).toContain(id);
      expect(await getRun(db, id + 1000)).toBeNull();
    });
  });
}
