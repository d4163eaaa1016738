import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandContext, contextOf } from '../src/cli/context.ts';
import { demoExtraSteps } from '../src/cli/demo-steps.ts';
import { createLogger } from '../src/core/log.ts';
import { DAY_MS } from '../src/core/time.ts';
import { type DemoSummary, runDemo } from '../src/demo.ts';
import { validateStore } from '../src/quality/validate.ts';
import { createRuntime } from '../src/runtime.ts';
import { loadSettings } from '../src/settings.ts';
import { planDemoSeries } from '../src/sources/synthetic/demo-series.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { coverage } from '../src/store/repos/coverage.ts';
import { listInstruments } from '../src/store/repos/instruments.ts';

interface Row {
  symbol: string;
  interval: string;
  ts: number;
  close: number;
  source: string;
}

/** Pearson correlation of daily log returns of two close series over their common days from `from`. */
function returnCorrelation(a: Map<number, number>, b: Map<number, number>, from: number): number {
  const days = [...a.keys()].filter((t) => t >= from && b.has(t)).sort((x, y) => x - y);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 1; i < days.length; i += 1) {
    const [t0, t1] = [days[i - 1] as number, days[i] as number];
    ra.push(Math.log((a.get(t1) as number) / (a.get(t0) as number)));
    rb.push(Math.log((b.get(t1) as number) / (b.get(t0) as number)));
  }
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  ra.forEach((x, i) => {
    const y = rb[i] as number;
    sab += (x - ma) * (y - mb);
    saa += (x - ma) ** 2;
    sbb += (y - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

describe('the demo (the main job, offline, on the embedded store)', () => {
  let db: Db;
  let c: CommandContext;
  let first: DemoSummary;
  let rows: Row[];
  const now = Date.now();
  const closes = (symbol: string, interval = '1d') =>
    new Map(rows.filter((r) => r.symbol === symbol && r.interval === interval).map((r) => [r.ts, r.close]));

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    const home = mkdtempSync(join(tmpdir(), 'mp-demo-'));
    const runtime = await createRuntime(loadSettings({ MARKETPIPE_HOME: home }), {
      db,
      log: createLogger('silent'),
    });
    c = contextOf(runtime, true);
    first = await runDemo(db, { now, extraSteps: demoExtraSteps(c) });
    const res = await db.query<Row>(
      `SELECT i.symbol, b.interval, (extract(epoch FROM b.ts) * 1000)::float8 AS ts, b.close, b.source
         FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id`,
    );
    rows = res.rows.map((r) => ({ ...r, ts: Number(r.ts) }));
  }, 600_000);
  afterAll(async () => db.close());

  it('loads at least 100 instruments and 50,000 bars over years, every step ok, nothing quarantined', () => {
    expect(first.steps.filter((s) => !s.ok)).toEqual([]);
    expect(first.instruments).toBeGreaterThanOrEqual(100);
    expect(first.bars).toBeGreaterThanOrEqual(50_000);
    const years = (Date.parse(first.to ?? '') - Date.parse(first.from ?? '')) / (365 * DAY_MS);
    expect(years).toBeGreaterThan(3);
    // The real samples pass the quality gate as they are.
    expect(first.steps.find((s) => s.name === 'synthetic')?.quarantined).toBe(0);
  });

  it('stores real rows under their real source and every other row as synthetic', async () => {
    const plans = planDemoSeries(await listInstruments(db), now);
    const expected = new Map<string, string>();
    for (const p of plans)
      for (const t of p.times)
        expected.set(`${p.instrument.symbol}|${p.interval}|${t}`, p.real.get(t)?.source ?? 'synthetic');
    const wrong = rows.filter((r) => expected.get(`${r.symbol}|${r.interval}|${r.ts}`) !== r.source);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(rows.length).toBe(expected.size);
    const sources = new Set(rows.map((r) => r.source));
    // samples/README.md: yfinance, OANDA, CoinMarketCap, Kraken, Coinbase and DeFiLlama files.
    expect([...sources].sort()).toEqual([
      'coinbase',
      'coinmarketcap',
      'defillama',
      'kraken',
      'oanda',
      'synthetic',
      'yahoo',
    ]);
    const prices = await db.query<{ source: string }>('SELECT DISTINCT source FROM market_data.prices');
    expect(prices.rows.map((r) => r.source)).toEqual(['synthetic']);
  });

  it('derives every FX cross exactly from its USD legs (1e-9 relative), daily and hourly', () => {
    const fx = rows.filter((r) => /^[A-Z]{3}_[A-Z]{3}$/.test(r.symbol));
    const close = new Map(fx.map((r) => [`${r.symbol}|${r.interval}|${r.ts}`, r.close]));
    const usdValue = (ccy: string, key: string): number | undefined => {
      if (ccy === 'USD') return 1;
      const direct = close.get(`${ccy}_USD|${key}`);
      if (direct !== undefined) return direct;
      const inverse = close.get(`USD_${ccy}|${key}`);
      return inverse === undefined ? undefined : 1 / inverse;
    };
    let crosses = 0;
    const bad: string[] = [];
    for (const r of fx) {
      const [base = '', quote = ''] = r.symbol.split('_');
      if (base === 'USD' || quote === 'USD') continue;
      const key = `${r.interval}|${r.ts}`;
      const b = usdValue(base, key);
      const q = usdValue(quote, key);
      if (b === undefined || q === undefined) {
        bad.push(`${r.symbol} ${r.interval} ${new Date(r.ts).toISOString()}: a leg is missing`);
        continue;
      }
      crosses += 1;
      if (Math.abs(r.close / (b / q) - 1) > 1e-9)
        bad.push(`${r.symbol} ${r.interval} ${r.ts}: ${r.close} vs ${b / q}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // 12 crosses in universe/default.json, daily over the demo's span and hourly over the OANDA window.
    expect(crosses).toBeGreaterThan(12 * 300);
  });

  it('moves like a market: SPY/VOO/SPX ≈ 1, BTC/ETH > 0.5, SPX ≈ 10 × SPY over the last year', () => {
    const last = Math.max(...closes('SPY').keys());
    const yearAgo = last - 365 * DAY_MS;
    expect(returnCorrelation(closes('SPY'), closes('VOO'), yearAgo)).toBeGreaterThan(0.95);
    expect(returnCorrelation(closes('SPY'), closes('SPX'), yearAgo)).toBeGreaterThan(0.95);
    expect(returnCorrelation(closes('BTC'), closes('ETH'), yearAgo)).toBeGreaterThan(0.5);
    // Real SP500/SPY on 2024-02-09 (samples: FRED 5026.61, SPY close 501.2): ratio ≈ 10.03.
    const ratio = (closes('SPX').get(last) ?? 0) / (closes('SPY').get(last) ?? 1);
    expect(ratio).toBeGreaterThan(9.8);
    expect(ratio).toBeLessThan(10.3);
  });

  it('leaves no gap in any series it stored', async () => {
    const gaps = (await coverage(db, { now })).filter((r) => r.interval !== 'price' && r.gaps > 0);
    expect(gaps).toEqual([]);
  });

  it('finds the USDC depeg near 0.88 and passes its own quality gate', () => {
    const analytics = first.steps.find((s) => s.name === 'analytics');
    // Real Kraken USDC/USD lows of 2023-03-11 reach 0.874 and CoinMarketCap's daily low 0.8774
    // (samples/stablecoins/USDC_kraken_1h_2023-03.csv, USDC_coinmarketcap_daily_2022-2023.csv).
    expect(analytics?.usdc_min_price).toBeGreaterThan(0.86);
    expect(analytics?.usdc_min_price).toBeLessThan(0.91);
  });

  it('passes its own validation except the freshness of historical hourly samples', async () => {
    const report = await validateStore(db, { now });
    // Hourly series that end in the past by design: the OANDA window (2020) for every FX pair, the stablecoin
    // depeg hours (March 2023) and SPY's hourly sample (to 2026-05-19). Every other check passes.
    const plans = planDemoSeries(await listInstruments(db), now);
    const historical = plans
      .filter((p) => p.interval === '1h' && (p.times.at(-1) ?? 0) < now - 2 * DAY_MS)
      .map((p) => `freshness[${p.instrument.symbol} 1h]`)
      .sort();
    expect(historical.length).toBeGreaterThan(20);
    expect(report.errors.map((e) => e.check_name).sort()).toEqual(historical);
  });

  it('writes the daily risk report to disk with its alerts', () => {
    const risk = first.steps.find((s) => s.name === 'risk');
    expect(typeof risk?.report).toBe('string');
    expect(existsSync(String(risk?.report))).toBe(true);
    expect(Number(risk?.var_95)).toBeGreaterThan(0);
  });

  it('is idempotent: a second run changes no counts and stores nothing new', async () => {
    const again = await runDemo(db, { now, extraSteps: demoExtraSteps(c) });
    expect({ instruments: again.instruments, bars: again.bars, prices: again.prices }).toEqual({
      instruments: first.instruments,
      bars: first.bars,
      prices: first.prices,
    });
    expect(again.steps.find((s) => s.name === 'synthetic')?.stored).toBe(0);
    expect(again.steps.find((s) => s.name === 'latest')?.stored).toBe(0);
  }, 300_000);
});
