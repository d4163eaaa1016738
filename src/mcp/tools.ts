import { z } from 'zod';
import { ALERT_TYPES } from '../core/alerts.ts';
import { DAY_MS, parseTime, toIso } from '../core/time.ts';
import { ASSET_CLASSES, INTERVALS } from '../core/types.ts';
import type { RiskParams } from '../risk/service.ts';
import type { Db } from '../store/db.ts';
import {
  AlertsOut,
  BacktestOut,
  CorrelationsOut,
  CoverageOut,
  DepegsOut,
  InstrumentsOut,
  LatestOut,
  PricesOut,
  RiskReportOut,
  SqlOut,
  StressOut,
  VarOut,
} from './outputs.ts';

/** What the tools need besides the store, from the process's runtime. */
export interface McpDeps {
  /** The config parameters (the runtime's `config()`). */
  config: () => Promise<RiskParams>;
}

/**
 * The MCP tools: each answers the same question as a CLI command's `--json` (named in its description),
 * through the same services, so an agent and a user see the same numbers.
 */
export interface McpTool {
  name: string;
  description: string;
  input: z.ZodRawShape;
  /** The answer's shape (`outputSchema`); the answer is parsed by it before it is sent. */
  output: z.ZodObject;
  run(db: Db, args: Record<string, unknown>, deps: McpDeps): Promise<object>;
}

const time = (v: unknown, what: string) => (typeof v === 'string' ? parseTime(v, what) : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const strs = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);

/** Rows one get_prices answer holds at most (the newest are kept). */
const MAX_PRICE_ROWS = 5000;

export const TOOLS: McpTool[] = [
  {
    name: 'list_instruments',
    description:
      'Instruments in the store with their asset class, peg and provider symbols (= `instruments list --json`).',
    output: InstrumentsOut,
    input: { asset_class: z.enum(ASSET_CLASSES).optional() },
    async run(db, a) {
      const { listInstruments } = await import('../store/repos/instruments.ts');
      const assetClass = ASSET_CLASSES.find((c) => c === a.asset_class);
      return { instruments: await listInstruments(db, { assetClass }) };
    },
  },
  {
    name: 'get_coverage',
    description: 'Per instrument and interval: first and last point, count, gaps (= `coverage --json`).',
    output: CoverageOut,
    input: { symbols: z.array(z.string()).optional() },
    async run(db, a) {
      const { coverage } = await import('../store/repos/coverage.ts');
      return { instruments: await coverage(db, { symbols: strs(a.symbols) }) };
    },
  },
  {
    name: 'get_prices',
    description: `OHLCV bars of one instrument, ascending (at most ${MAX_PRICE_ROWS}, the newest kept). Times ISO-8601 UTC.`,
    output: PricesOut,
    input: {
      symbol: z.string().min(1).max(32),
      interval: z.enum(INTERVALS).default('1d'),
      from: z.string().optional().describe('ISO date/time, inclusive'),
      to: z.string().optional().describe('ISO date/time, exclusive'),
    },
    async run(db, a) {
      const { readBars } = await import('../store/repos/bars.ts');
      const { requireInstrument } = await import('../store/repos/instruments.ts');
      const symbol = String(a.symbol).toUpperCase();
      await requireInstrument(db, symbol);
      const interval = INTERVALS.find((i) => i === a.interval) ?? '1d';
      // Open ends: from the epoch, to a day ahead (a bar opened today is included).
      const range = { from: time(a.from, 'from') ?? 0, to: time(a.to, 'to') ?? Date.now() + DAY_MS };
      const bars = await readBars(db, symbol, interval, range);
      const kept = bars.slice(-MAX_PRICE_ROWS);
      return {
        symbol,
        interval,
        truncated: kept.length < bars.length,
        bars: kept.map((b) => ({ ...b, ts: toIso(b.ts) })),
      };
    },
  },
  {
    name: 'get_latest',
    description:
      'The newest stored price of an instrument: its latest point price or bar close, whichever is newer.',
    output: LatestOut,
    input: { symbol: z.string().min(1).max(32) },
    async run(db, a) {
      const symbol = String(a.symbol).toUpperCase();
      const { requireInstrument } = await import('../store/repos/instruments.ts');
      const inst = await requireInstrument(db, symbol);
      const res = await db.query<{ ts: Date; price: number; source: string; kind: string }>(
        `(SELECT ts, price, source, 'price' AS kind FROM market_data.prices WHERE instrument_id = $1 ORDER BY ts DESC LIMIT 1)
         UNION ALL
         (SELECT ts, close, source, 'bar:' || interval FROM market_data.bars WHERE instrument_id = $1 ORDER BY ts DESC LIMIT 1)
         ORDER BY ts DESC LIMIT 1`,
        [inst.id],
      );
      const row = res.rows[0];
      return row
        ? {
            symbol,
            ts: toIso(new Date(row.ts).getTime()),
            price: row.price,
            source: row.source,
            kind: row.kind,
          }
        : { symbol, ts: null, price: null, source: null, kind: null };
    },
  },
  {
    name: 'get_correlations',
    description:
      'Pearson ρ of daily log returns for every pair over a window (= `analytics correlations --dry-run --json`; nothing is written).',
    output: CorrelationsOut,
    input: {
      window_days: z.number().int().min(2).max(3650).default(90),
      as_of: z.string().optional(),
      assets: z.array(z.string()).optional(),
    },
    async run(db, a) {
      const { computeCorrelations } = await import('../analytics/service.ts');
      const window = num(a.window_days) ?? 90;
      const windows = window === 30 || window === 90 ? [30, 90] : [window];
      const r = await computeCorrelations(db, {
        windows,
        asOf: time(a.as_of, 'as_of'),
        assets: strs(a.assets),
        dryRun: true,
      });
      const w = r.windows.find((x) => x.window_days === window);
      return {
        window_days: window,
        as_of: w?.as_of ?? null,
        pairs: w?.pairs ?? [],
        contagion: w?.contagion ?? null,
        regime_changes: r.regime_changes,
        errors: r.errors,
      };
    },
  },
  {
    name: 'get_depegs',
    description:
      'Depeg events of pegged assets (price below peg × (1 − threshold)) with their worst price and recovery (= `analytics depegs --dry-run --json`).',
    output: DepegsOut,
    input: {
      asset: z.string().optional(),
      since: z.string().optional(),
      threshold: z.number().positive().max(0.5).optional(),
    },
    async run(db, a) {
      const { detectDepegEvents } = await import('../analytics/service.ts');
      const r = await detectDepegEvents(db, {
        asset: str(a.asset)?.toUpperCase(),
        since: time(a.since, 'since'),
        threshold: num(a.threshold),
        dryRun: true,
      });
      return { ...r };
    },
  },
  {
    name: 'get_alerts',
    description:
      'Stored alerts (depeg episodes from `stream`, supply drops from `supply`), newest first, open ones always included (= `alerts list --json`).',
    output: AlertsOut,
    input: {
      type: z.enum(ALERT_TYPES).optional(),
      asset: z.string().min(1).max(32).optional(),
      since: z.string().optional().describe('ISO date/time'),
      limit: z.number().int().min(1).max(500).optional(),
    },
    async run(db, a) {
      const { readAlerts } = await import('../live/alerts/service.ts');
      return readAlerts(db, {
        type: str(a.type),
        asset: str(a.asset),
        since: str(a.since),
        limit: num(a.limit),
      });
    },
  },
  {
    name: 'run_var',
    description:
      'Monte Carlo VaR/CVaR of the stored default portfolio (= `risk var --json`; seed defaults to the date, so runs repeat).',
    output: VarOut,
    input: {
      simulations: z.number().int().min(100).max(1_000_000).optional(),
      seed: z.number().int().optional(),
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    async run(db, a, deps) {
      const { runVar } = await import('../risk/service.ts');
      const run = await runVar(db, {
        simulations: num(a.simulations),
        seed: num(a.seed),
        date: str(a.date),
        config: await deps.config(),
      });
      // the CLI's keys (result, portfolio, date, scenario_weights) and the API's `sources`
      return {
        ...run.result,
        portfolio: run.portfolio.name,
        date: run.date,
        sources: run.sources,
        scenario_weights: run.scenario_weights,
      };
    },
  },
  {
    name: 'run_stress',
    description:
      'Stress tests of the default portfolio under every enabled scenario (= `risk stress --json`).',
    output: StressOut,
    input: { threshold: z.number().positive().max(1).optional() },
    async run(db, a) {
      const { runStress } = await import('../risk/service.ts');
      return { ...(await runStress(db, { threshold: num(a.threshold) })) };
    },
  },
  {
    name: 'run_backtest',
    description:
      'Backtest a built-in strategy (e.g. ma-crossover) on stored bars (= `backtest --json`; not stored).',
    output: BacktestOut,
    input: {
      strategy: z.string().min(1).max(64),
      symbols: z.array(z.string()).min(1).max(20),
      from: z.string().optional(),
      to: z.string().optional(),
      interval: z.enum(INTERVALS).default('1d'),
      params: z.record(z.string(), z.unknown()).optional(),
    },
    async run(db, a) {
      const strategy = String(a.strategy);
      // Only built-in names: a path would load a module from the server's disk.
      if (/[/\\.]/.test(strategy)) throw new Error(`strategy "${strategy}": only built-in strategy names`);
      const { runBacktest } = await import('../backtest/service.ts');
      const out = await runBacktest(db, {
        strategy,
        symbols: (strs(a.symbols) ?? []).map((s) => s.toUpperCase()),
        from: str(a.from),
        to: str(a.to),
        interval: INTERVALS.find((i) => i === a.interval) ?? '1d',
        params: a.params as Record<string, unknown> | undefined,
        store: false,
      });
      return { ...out };
    },
  },
  {
    name: 'get_risk_report',
    description:
      'The newest stored daily risk report (VaR, stress, depeg history) as JSON (= `risk report --json`).',
    output: RiskReportOut,
    input: {
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    async run(db, a) {
      const res = await db.query<{ date: Date; portfolio: string; json: unknown }>(
        `SELECT date, portfolio, json FROM risk.reports ${a.date ? 'WHERE date = $1' : ''} ORDER BY date DESC LIMIT 1`,
        a.date ? [a.date] : [],
      );
      const row = res.rows[0];
      if (!row)
        throw new Error(
          a.date
            ? `no risk report for ${String(a.date)}`
            : 'no risk report stored yet (run `marketpipe risk report`)',
        );
      return {
        date: toIso(new Date(row.date).getTime()).slice(0, 10),
        portfolio: row.portfolio,
        report: row.json,
      };
    },
  },
  {
    name: 'ask_sql',
    description:
      'Run one read-only SELECT on the store under the chat guard (allow-listed schemas, no writes, row and time caps). Read the schema resource first.',
    output: SqlOut,
    input: { sql: z.string().min(1).max(10_000) },
    async run(db, a) {
      const { executeGuarded } = await import('../chat/execute.ts');
      const r = await executeGuarded(db, String(a.sql), { maxRows: 500, timeoutMs: 10_000 });
      return { sql: r.sql, columns: r.columns, rows: r.rows, row_count: r.row_count, truncated: r.truncated };
    },
  },
];
