import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../src/config/store.ts';
import { quote, runDailyRisk, runStress, runVar } from '../src/risk/service.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';

describe('risk service on an empty store (no analytics yet: defaults)', () => {
  let db: Db;
  let home: string;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    home = mkdtempSync(join(tmpdir(), 'mp-risk-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs VaR on the sample portfolio with the seeded scenarios, deterministic by seed', async () => {
    const a = await runVar(db, {
      config: await ConfigStore.open({ db, live: false }),
      seed: 7,
      simulations: 20_000,
      date: '2024-03-01',
      store: false,
    });
    const b = await runVar(db, {
      config: await ConfigStore.open({ db, live: false }),
      seed: 7,
      simulations: 20_000,
      date: '2024-03-01',
      store: false,
    });
    expect(a.portfolio.capital).toBe(50e6);
    expect(a.result.scenarios_used).toBe(5);
    expect(a.result.var_95).toBe(b.result.var_95);
    expect(a.result.var_99).toBeGreaterThanOrEqual(a.result.var_95);
    expect(a.result.cvar_95).toBeGreaterThanOrEqual(a.result.var_95);
    expect(a.sources.volatility).toEqual({ USDC: 'default', USDT: 'default', DAI: 'default' });
  });

  it('stress-tests the sample: SVB loses USDC 15M × 12 % = 1.8M (USDT, DAI above peg)', async () => {
    const s = await runStress(db);
    const svb = s.results.find((r) => r.scenario === 'Banking Crisis (SVB)');
    expect(svb?.loss).toBeCloseTo(1.8e6, 4);
    // Multiple Failure: 15M × 0.10 + 12M × 0.15 + 8M × 0.12 = 1.5 + 1.8 + 0.96 = 4.26M — the worst.
    expect(s.worst?.scenario).toBe('Multiple Failure');
    expect(s.worst?.loss).toBeCloseTo(4.26e6, 4);
  });

  it('writes the daily report (JSON + HTML + risk.reports) whose alerts follow from its numbers', async () => {
    const day1 = await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: '2024-03-01',
      simulations: 10_000,
    });
    const { report, files } = await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: '2024-03-02',
      simulations: 10_000,
    });
    expect(existsSync(files.json) && existsSync(files.html)).toBe(true);
    expect(files.json.endsWith(join('reports', 'risk_report_2024-03-02.json'))).toBe(true);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Banking Crisis (SVB)');
    expect(report.summary).toMatchObject({ capital: 50e6, coverage: 35e6, ltv: 0.7, active_policies: 142 });
    expect(report.summary.utilization).toBeCloseTo(35 / 60, 12);
    // LTV exactly 70 % is not above the 70 % limit; worst stress 4.26M < 25M; three coins → no medium alert.
    expect(report.alerts.filter((a) => a.level !== 'low')).toEqual(
      report.var.trend_pct !== null && report.var.trend_pct > 0.2
        ? [expect.objectContaining({ code: 'var_trend' })]
        : [],
    );
    expect(report.var.trend.map((t) => t.date)).toEqual(['2024-03-01', '2024-03-02']);
    expect(report.var.avg_30d).toBeCloseTo(day1.report.var.var_95, 6);
    expect(report.recommendations[0]?.amount).toBeCloseTo(report.var.var_95 * 1.5, 6);
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM risk.reports');
    expect(Number(stored.rows[0]?.n)).toBe(2);
  });

  it('quotes from config parameters with the book utilisation', async () => {
    const q = await quote(db, {
      config: await ConfigStore.open({ db, live: false }),
      asset: 'usdc',
      amount: 100_000,
      days: 30,
    });
    // Book: 35M of 60M capacity sold; + 0.1M → 58.5 % → ≥ 50 % step ×1.1 (config 040).
    expect(q.breakdown.utilization).toBeCloseTo(35.1 / 60, 9);
    expect(q.breakdown.utilization_multiplier).toBe(1.1);
    expect(q.premium).toBeCloseTo((100_000 * 0.04 * 1.1 * 30) / 365, 6);
  });
});
