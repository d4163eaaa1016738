import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigCanaries } from '../../src/config/canary.ts';
import { canaryBucket } from '../../src/config/canary-repo.ts';
import { baseRate } from '../../src/config/domain.ts';
import { ConfigService } from '../../src/config/service.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';
import { eventually } from './eventually.ts';

for (const backend of BACKENDS) {
  describe(`config versions on ${backend.name}`, () => {
    let ts: TestStore;
    let db: Db;
    let otherDb: Db;
    let store: ConfigStore;
    let remote: ConfigStore;
    let staging: ConfigStore;
    let service: ConfigService;
    const ctx = { who: 'alice', reason: 'test', clientIp: null };

    beforeAll(async () => {
      ts = await backend.open();
      db = ts.db;
      otherDb = await ts.other();
      store = await ConfigStore.open({ db });
      // stores on another connection stand in for other marketpipe processes
      remote = await ConfigStore.open({ db: otherDb, processName: 'serve-2' });
      staging = await ConfigStore.open({ db: otherDb, env: 'staging' });
      service = new ConfigService(db, store);
    });

    afterAll(async () => {
      for (const s of [store, remote, staging]) await s?.close();
      await otherDb?.close();
      await ts?.drop();
    });

    it('numbers every change set; rollback restores exactly the earlier values and reaches another process within a second', async () => {
      // seeded values (migration 040): USDC 0.04, USDT 0.06, risk.var_horizon_days 30
      const v1 = await service.set('pricing', 'base_rate_USDC', 0.05, { ...ctx, reason: 'first' });
      expect(v1.version).toBe(1);
      const v2 = await service.apply(
        [
          { category: 'pricing', key: 'base_rate_USDC', value: 0.07 },
          { category: 'pricing', key: 'base_rate_USDT', value: 0.09 },
          { category: 'risk', key: 'var_horizon_days', value: 10 },
        ],
        { ...ctx, reason: 'stress set' },
      );
      expect(v2?.id).toBe(2);
      expect(v2?.changes.map((c) => `${c.category}.${c.key}`)).toEqual([
        'pricing.base_rate_USDC',
        'pricing.base_rate_USDT',
        'risk.var_horizon_days',
      ]);
      await eventually(() => baseRate('USDT', remote) === 0.09, 1000, 'v2 to reach the other store');

      // one invalid value refuses the whole set
      await expect(
        service.apply(
          [
            { category: 'pricing', key: 'base_rate_USDC', value: 0.01 },
            { category: 'pricing', key: 'base_rate_USDT', value: 7 },
          ],
          ctx,
        ),
      ).rejects.toThrow('must be ≤ 1, got 7');
      expect((await service.get('pricing', 'base_rate_USDC')).value).toBe(0.07);

      const diff = await service.diff(1, 2);
      expect(diff.map((d) => [`${d.category}.${d.key}`, d.from, d.to])).toEqual([
        ['pricing.base_rate_USDC', 0.05, 0.07],
        ['pricing.base_rate_USDT', 0.06, 0.09],
        ['risk.var_horizon_days', 30, 10],
      ]);

      const t0 = performance.now();
      const rb = await service.rollback(1, { ...ctx, reason: 'undo stress set' });
      expect(rb).toMatchObject({ id: 3, kind: 'rollback', rolled_back_to: 1 });
      expect(baseRate('USDC', store)).toBe(0.05);
      await eventually(
        () =>
          baseRate('USDC', remote) === 0.05 &&
          baseRate('USDT', remote) === 0.06 &&
          remote.getInt('risk', 'var_horizon_days') === 30,
        1000,
        'the rollback to reach the other store',
      );
      expect(performance.now() - t0).toBeLessThan(1000);
      // version 3 equals version 1 exactly
      expect(await service.diff(1, 3)).toEqual([]);
      // rolling back to 0 restores the seeded values
      await service.rollback(0, { ...ctx, reason: 'back to seed' });
      expect((await service.get('pricing', 'base_rate_USDC')).value).toBe(0.04);
      const hist = await service.history({ category: 'pricing', key: 'base_rate_USDT' });
      // version 4 (back to seed) touches only USDC: USDT was already back at 0.06
      expect(hist.map((v) => v.id)).toEqual([3, 2]);
    });

    it('rollback recreates a deleted parameter with its type, description and rule', async () => {
      await service.create(
        {
          category: 'pricing',
          key: 'base_rate_USDS',
          value_type: 'float',
          value: 0.05,
          description: 'USDS',
          validation: { min: 0, max: 1 },
        },
        ctx,
      );
      const before = (await service.history({ limit: 1 }))[0]?.id ?? -1;
      await service.remove('pricing', 'base_rate_USDS', ctx);
      expect(baseRate('USDS', store)).toBe(0.1);
      await service.rollback(before, ctx);
      const p = await service.get('pricing', 'base_rate_USDS');
      expect([p.value, p.valueType, p.description, p.validation]).toEqual([
        0.05,
        'float',
        'USDS',
        { min: 0, max: 1 },
      ]);
    });

    it('environments override values and fall back to the base; promote copies a set as one version', async () => {
      const r = await service.set('pricing', 'base_rate_DAI', 0.07, { ...ctx, env: 'staging' });
      expect(r).toMatchObject({ env: 'staging', old_value: 0.05, new_value: 0.07 });
      await eventually(() => baseRate('DAI', staging) === 0.07, 1000, 'staging to see its override');
      expect(baseRate('DAI', store)).toBe(0.05); // production untouched
      expect(baseRate('USDP', staging)).toBe(0.05); // not overridden: base value
      await service.set('pricing', 'base_rate_USDP', 0.055, ctx); // base change reaches staging too
      await eventually(() => baseRate('USDP', staging) === 0.055, 1000, 'base change to reach staging');
      await service.set('pricing', 'base_rate_GUSD', 0.08, { ...ctx, env: 'staging' });

      const v = await service.promote('staging', 'production', ['pricing.base_rate_DAI'], {
        ...ctx,
        reason: 'tested',
      });
      expect(v).toMatchObject({ kind: 'promote', env: 'production' });
      expect(v?.changes.map((c) => c.key)).toEqual(['base_rate_DAI']);
      expect(baseRate('DAI', store)).toBe(0.07);
      expect(baseRate('GUSD', store)).toBe(0.06);
      await expect(service.promote('staging', 'production', ['pricing.nope'], ctx)).rejects.toThrow(
        'staging does not set pricing.nope',
      );
      // a rollback of the promotion puts production back, staging keeps its override
      await service.rollback((v?.id ?? 0) - 1, ctx);
      expect(baseRate('DAI', store)).toBe(0.05);
      expect((await service.diff((v?.id ?? 0) - 1, (v?.id ?? 0) + 1)).length).toBe(0);
    });

    it('a canary serves the new values to its process or its share of requests, deterministically', async () => {
      const canaries = new ConfigCanaries(db, store);
      const c = await canaries.start(
        [{ category: 'pricing', key: 'base_rate_USDT', value: 0.065 }],
        { process: 'serve-2' },
        { ...ctx, reason: 'canary on serve-2' },
      );
      await eventually(() => baseRate('USDT', remote) === 0.065, 1000, 'serve-2 to serve the canary');
      expect(baseRate('USDT', store)).toBe(0.06); // not serve-2

      const share = await canaries.start(
        [{ category: 'pricing', key: 'base_rate_USDC', value: 0.045 }],
        { percent: 30 },
        { ...ctx, reason: '30% canary' },
      );
      await store.reload();
      const keys = Array.from({ length: 200 }, (_, i) => `USDC:${(i + 1) * 10_000}:30`);
      const served = keys.map((k) => baseRate('USDC', store.forRequest(k)));
      // the split follows the hash bucket exactly, and the same request gets the same value every time
      expect(served).toEqual(keys.map((k) => (canaryBucket(k) < 30 ? 0.045 : 0.04)));
      expect(keys.map((k) => baseRate('USDC', store.forRequest(k)))).toEqual(served);
      const n = served.filter((v) => v === 0.045).length;
      expect(n).toBeGreaterThan(30);
      expect(n).toBeLessThan(90);
      await eventually(
        () => keys.every((k, i) => baseRate('USDC', remote.forRequest(k)) === served[i]),
        1000,
        'another process to split requests the same way',
      );

      const promoted = await canaries.promote(c.id, { ...ctx, reason: 'looks good' });
      expect(promoted.canary.status).toBe('promoted');
      expect(baseRate('USDT', store)).toBe(0.065);
      const rolled = await canaries.rollback(share.id, { ...ctx, reason: 'no' });
      expect(rolled.canary.status).toBe('rolled_back');
      expect(keys.map((k) => baseRate('USDC', store.forRequest(k))).every((v) => v === 0.04)).toBe(true);
      await expect(canaries.rollback(share.id, ctx)).rejects.toThrow('already rolled back');
      expect(await canaries.list()).toEqual([]);
    });
  });
}
