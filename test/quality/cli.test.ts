/**
 * `validate` and `quarantine` commands against a real PGlite store, through commander with only these
 * modules registered (the full program is exercised by the CLI's own end-to-end tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quarantineCmd from '../../src/cli/commands/quarantine.ts';
import { parseDuration } from '../../src/cli/commands/quarantine.ts';
import * as validateCmd from '../../src/cli/commands/validate.ts';
import type { StoredBar } from '../../src/core/types.ts';
import { quarantineRecords } from '../../src/pipeline/feeds/quarantine-records.ts';
import { checkBars } from '../../src/quality/gate.ts';
import { listQuarantine, quarantineRows } from '../../src/quality/quarantine.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { runCommands } from '../support/cli.ts';

const HOUR = 3_600_000;

describe('quality CLI commands (PGlite)', () => {
  let db: Db;
  let out: unknown[] = [];
  const run = async (...args: string[]): Promise<number> => {
    out = [];
    const r = await runCommands([validateCmd, quarantineCmd], { db }, args);
    out = r.printed;
    return r.code;
  };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      {
        symbol: 'USDC',
        assetClass: 'stablecoin',
        name: 'USD Coin',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
      },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('a batch with bad rows stores the good ones, quarantines the bad ones, and totals add up', async () => {
    const now = Date.now();
    const t0 = Math.floor(now / HOUR) * HOUR - 30 * HOUR;
    const rows: StoredBar[] = Array.from({ length: 30 }, (_, i) => {
      const c = i === 10 ? 1.55 : i === 20 ? -1 : 1;
      return {
        symbol: 'USDC',
        interval: '1h',
        ts: t0 + i * HOUR,
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 1,
        source: 'test',
      };
    });
    rows.push({ ...(rows[5] as StoredBar) }); // an exact duplicate → unchanged
    const gate = checkBars(rows, {
      instrument: { symbol: 'USDC', assetClass: 'stablecoin', pegTarget: 1 },
      mode: 'incremental',
      now,
    });
    const stored = await upsertBars(db, gate.accepted);
    const quarantined = await quarantineRows(db, gate.rejected, 'test');
    expect(rows.length).toBe(stored.stored + stored.unchanged + gate.unchanged.length + quarantined);
    expect([stored.stored, gate.unchanged.length, quarantined]).toEqual([28, 1, 2]);

    expect(await run('validate', '--asset', 'USDC')).toBe(0);
    expect(out[0]).toMatchObject({ overall_valid: true, failed: 0, errors: [] });

    expect(await run('quarantine', 'list', '--rule', 'price_bounds')).toBe(0);
    expect(out[0]).toMatchObject({
      items: [
        { symbol: 'USDC', rule: 'price_bounds', reason: 'Price 1.55 outside stablecoin bounds [0.50, 1.50]' },
      ],
      by_rule: { price_bounds: 1, price_finite_positive: 1 },
      total: 2,
    });
  });

  it('release re-validates: still-bad rows are refused (exit 1), forced ones are loaded', async () => {
    const [bad] = await listQuarantine(db, { rule: 'price_bounds' });
    const id = String(bad?.id);
    expect(await run('quarantine', 'release', id)).toBe(1);
    expect(out[0]).toMatchObject({ loaded: [], refused: [{ rule: 'price_bounds' }], missing: [] });
    expect(await run('quarantine', 'release', '--force', id)).toBe(0);
    expect(out[0]).toMatchObject({ loaded: [Number(id)], refused: [] });
    // The forced 1.55 is now in the store, so validation fails and exits 1.
    expect(await run('validate')).toBe(1);
    expect(out[0]).toMatchObject({ overall_valid: false, errors: [{ check_name: 'price_bounds[USDC 1h]' }] });
    const saved = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ops.validation_reports');
    expect(saved.rows[0]?.n).toBe(2);
  });

  it('release skips records whose stored row is not a loader record, with a per-row reason, keeps them pending, loads the bars given with them', async () => {
    // The kinds the economic, news and events loaders write to ops.quarantine.interval (quarantine-records.ts),
    // with raw rows no loader wrote (a loader keeps the whole record; see release-records.test.ts for those).
    await quarantineRecords(
      db,
      [
        {
          symbol: 'DGS10',
          kind: 'economic',
          ts: Date.UTC(2023, 0, 2),
          raw: { value: 'x' },
          rule: 'value_finite',
          reason: 'bad value',
        },
        {
          symbol: null,
          kind: 'news',
          ts: null,
          raw: { title: '' },
          rule: 'title_present',
          reason: 'no title',
        },
        {
          symbol: 'SPY',
          kind: 'events:dividend',
          ts: null,
          raw: { amount: -1 },
          rule: 'amount_positive',
          reason: 'negative',
        },
      ],
      'test',
    );
    const records = (await listQuarantine(db)).filter((e) =>
      ['economic', 'news', 'events:dividend'].includes(e.interval ?? ''),
    );
    expect(records).toHaveLength(3);
    // A pending bar from the batch above, released (forced) together with the records.
    const bar = (await listQuarantine(db)).find((e) => /^\d+[mhd]$/.test(e.interval ?? ''));
    expect(bar).toBeDefined();
    const ids = [...records.map((e) => e.id), Number(bar?.id)].sort((a, b) => a - b);
    expect(await run('quarantine', 'release', '--force', ...ids.map(String))).toBe(1);
    const byInterval = Object.fromEntries(records.map((e) => [e.interval, e.id]));
    expect(out[0]).toMatchObject({ loaded: [Number(bar?.id)], refused: [], missing: [] });
    expect((out[0] as { skipped: unknown[] }).skipped).toEqual(
      expect.arrayContaining([
        {
          id: byInterval.economic,
          interval: 'economic',
          reason: expect.stringMatching(/^the stored row is not a readable economic record \(seriesId: /),
        },
        {
          id: byInterval.news,
          interval: 'news',
          reason: expect.stringMatching(/^the stored row is not a readable news record \(url: /),
        },
        {
          id: byInterval['events:dividend'],
          interval: 'events:dividend',
          reason: expect.stringMatching(
            /^the stored row is not a readable events:dividend record \(symbol: /,
          ),
        },
      ]),
    );
    // Skipped rows stay pending with their own rule and reason.
    const still = await listQuarantine(db);
    for (const r of records)
      expect(still.find((e) => e.id === r.id)).toMatchObject({
        rule: r.rule,
        reason: r.reason,
        released_at: null,
      });
  });

  it('purge takes a duration and refuses a bad one', async () => {
    expect(await run('quarantine', 'purge', '--older-than', '90d')).toBe(0);
    expect(out[0]).toEqual({ purged: 0, older_than: '90d' });
    expect(parseDuration('12h')).toBe(12 * HOUR);
    expect(() => parseDuration('9x')).toThrow(/expected a duration like 90d/);
  });
});
