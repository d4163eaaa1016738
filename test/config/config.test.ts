import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS } from '../../src/config/defaults.ts';
import { baseRate } from '../../src/config/domain.ts';
import { ConfigService } from '../../src/config/service.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.ts';
import type { Db } from '../../src/store/db.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';
import { eventually } from './eventually.ts';

for (const backend of BACKENDS) {
  describe(`config on ${backend.name}`, () => {
    let ts: TestStore;
    let db: Db;
    let otherDb: Db;
    let store: ConfigStore;
    let remote: ConfigStore;
    let service: ConfigService;
    const admin = { who: 'alice', reason: 'test', clientIp: '10.0.0.7' };

    beforeAll(async () => {
      ts = await backend.open();
      db = ts.db;
      otherDb = await ts.other();
      store = await ConfigStore.open({ db });
      // a second store on another connection stands in for another marketpipe process
      remote = await ConfigStore.open({ db: otherDb });
      service = new ConfigService(db, store);
    });

    afterAll(async () => {
      await store?.close();
      await remote?.close();
      await otherDb?.close();
      await ts?.drop();
    });

    describe('seed migration', () => {
      it('seeds exactly the code catalogue, marked seeded', async () => {
        const rows = await db.query<{
          category: string;
          key: string;
          value_type: string;
          value: unknown;
          validation: unknown;
          seeded: boolean;
        }>('SELECT category, key, value_type, value, validation, seeded FROM config.parameters');
        const got = new Map(rows.rows.map((r) => [`${r.category}.${r.key}`, r]));
        expect(got.size).toBe(DEFAULT_PARAMETERS.length);
        for (const d of DEFAULT_PARAMETERS) {
          const r = got.get(`${d.category}.${d.key}`);
          expect(r, `${d.category}.${d.key} seeded`).toBeDefined();
          expect([r?.value_type, r?.value, r?.validation, r?.seeded]).toEqual([
            d.valueType,
            d.value,
            d.validation,
            true,
          ]);
        }
      });

      it('seeds the historical depegs of the seed system', async () => {
        const res = await db.query<{ asset: string; min_price: number; seeded: boolean }>(
          'SELECT asset, min_price, seeded FROM config.historical_depegs ORDER BY asset',
        );
        const byAsset = Object.fromEntries(res.rows.map((r) => [r.asset, r.min_price]));
        // issue 6: USDC 0.88, USDT 0.95, DAI 0.96, USDP 0.98, FRAX 0.88, BUSD 0.98, GHO 0.96
        expect(byAsset).toMatchObject({
          USDC: 0.88,
          USDT: 0.95,
          DAI: 0.96,
          USDP: 0.98,
          FRAX: 0.88,
          BUSD: 0.98,
          GHO: 0.96,
        });
        expect(res.rows.every((r) => r.seeded)).toBe(true);
      });
    });

    describe('loading', () => {
      it('serves the database rows', () => {
        const st = store.stats();
        expect(st.source).toBe('database');
        expect(st.entries).toBe(DEFAULT_PARAMETERS.length);
        expect(st.listening).toBe(true);
        expect(st.last_reload).not.toBeNull();
      });
    });

    describe('changing a value', () => {
      it('validates, writes, audits, and every store sees it within a second', async () => {
        expect(baseRate('USDC', remote)).toBe(0.04);
        const res = await service.set('pricing', 'base_rate_USDC', 0.045, {
          ...admin,
          reason: 'SVB-style stress',
        });
        expect(res).toMatchObject({
          old_value: 0.04,
          new_value: 0.045,
          changed: true,
          applied: true,
          dry_run: false,
        });
        // the writing process reads its own write at once
        expect(baseRate('USDC', store)).toBe(0.045);
        const ms = await eventually(
          () => baseRate('USDC', remote) === 0.045,
          1000,
          'the other store to reload',
        );
        expect(ms).toBeLessThan(1000);
        const [audit] = await service.audit({ category: 'pricing', key: 'base_rate_USDC', limit: 1 });
        expect(audit).toMatchObject({
          id: res.audit_id,
          who: 'alice',
          action: 'update',
          reason: 'SVB-style stress',
          client_ip: '10.0.0.7',
          old_value: 0.04,
          new_value: 0.045,
          dry_run: false,
          applied: true,
        });
        const row = await service.get('pricing', 'base_rate_USDC');
        expect(row.updatedBy).toBe('alice');
      });

      it('a dry run reports the change and changes nothing (audited as a dry run)', async () => {
        const before = remote.stats().reloads;
        const res = await service.set('pricing', 'base_rate_USDT', '0.07', { ...admin, dryRun: true });
        expect(res).toMatchObject({
          old_value: 0.06,
          new_value: 0.07,
          changed: true,
          applied: false,
          dry_run: true,
        });
        expect((await service.get('pricing', 'base_rate_USDT')).value).toBe(0.06);
        await new Promise((r) => setTimeout(r, 150));
        expect(baseRate('USDT', remote)).toBe(0.06);
        expect(remote.stats().reloads).toBe(before);
        const [audit] = await service.audit({ key: 'base_rate_USDT', limit: 1 });
        expect(audit).toMatchObject({ dry_run: true, applied: false, new_value: 0.07 });
      });

      it('refuses a non-number for a float with the reason, and out-of-range values', async () => {
        await expect(service.set('pricing', 'base_rate_USDC', 'not_a_number', admin)).rejects.toThrow(
          'pricing.base_rate_USDC must be a float, got "not_a_number"',
        );
        await expect(service.set('pricing', 'base_rate_USDC', 1.5, admin)).rejects.toThrow(
          'must be ≤ 1, got 1.5',
        );
        await expect(service.set('tranches', 'SURE_EQT.curve_type', 'Cubic', admin)).rejects.toThrow(
          ValidationError,
        );
        await expect(
          service.set('pricing', 'base_rate_USDC', 0.05, { ...admin, reason: ' ' }),
        ).rejects.toThrow('reason is required');
        await expect(service.set('pricing', 'nope', 1, admin)).rejects.toThrow(NotFoundError);
        expect(baseRate('USDC', store)).toBe(0.045);
      });

      it('creates and deletes parameters; a deleted one falls back to its built-in default', async () => {
        const created = await service.create(
          {
            category: 'pricing',
            key: 'base_rate_USDS',
            value_type: 'float',
            value: 0.05,
            validation: { min: 0, max: 1 },
          },
          admin,
        );
        expect(created).toMatchObject({ action: 'create', new_value: 0.05, applied: true });
        expect(baseRate('USDS', store)).toBe(0.05);
        await expect(
          service.create(
            { category: 'pricing', key: 'base_rate_USDS', value_type: 'float', value: 0.05 },
            admin,
          ),
        ).rejects.toThrow(ConflictError);
        await expect(
          service.create(
            { category: 'pricing', key: 'x', value_type: 'float', value: 2, validation: { max: 1 } },
            admin,
          ),
        ).rejects.toThrow('pricing.x must be ≤ 1, got 2');
        await service.remove('pricing', 'base_rate_USDS', admin);
        expect(baseRate('USDS', store)).toBe(0.1);
        await service.remove('pricing', 'base_rate_USDT', admin);
        await eventually(
          () => remote.find('pricing', 'base_rate_USDT') === undefined,
          1000,
          'the delete to reach',
        );
        // falls back to the built-in catalogue value
        expect(remote.getFloat('pricing', 'base_rate_USDT')).toBe(0.06);
        const audit = await service.audit({ category: 'pricing', limit: 3 });
        expect(audit.map((a) => a.action)).toEqual(['delete', 'delete', 'create']);
      });

      it('hears changes made outside marketpipe (psql) through the trigger', async () => {
        await otherDb.query(
          "UPDATE config.parameters SET value = '0.2'::jsonb WHERE category = 'quality' AND key = 'outlier_batch_max'",
        );
        await eventually(() => store.getFloat('quality', 'outlier_batch_max') === 0.2, 1000, 'psql change');
      });
    });
  });
}
