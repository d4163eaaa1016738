import { toIso } from './core/time.ts';
import type { StoredBar } from './core/types.ts';
import { checkBars, type RejectedRow } from './quality/gate.ts';
import { quarantineRows } from './quality/quarantine.ts';
import { type DemoSeriesPlan, demoBars, planDemoSeries } from './sources/synthetic/demo-series.ts';
import type { Db } from './store/db.ts';
import { countBars, upsertBars } from './store/repos/bars.ts';
import { type InstrumentRow, listInstruments, upsertInstruments } from './store/repos/instruments.ts';
import { countPrices } from './store/repos/prices.ts';
import { loadUniverse } from './universe.ts';

interface DemoStep {
  name: string;
  ok: boolean;
  duration_ms: number;
  error?: string;
  [key: string]: unknown;
}

export interface DemoSummary {
  instruments: number;
  bars: number;
  prices: number;
  from: string | null;
  to: string | null;
  duration_ms: number;
  steps: DemoStep[];
}

export interface DemoOptions {
  now?: number;
  log?: (message: string) => void;
  /** Extra steps run after the data is loaded (analytics, risk…), in order. */
  extraSteps?: ReadonlyArray<{ name: string; run: (db: Db) => Promise<Record<string, unknown>> }>;
}

async function step(
  steps: DemoStep[],
  name: string,
  fn: () => Promise<Record<string, unknown>>,
  log?: (m: string) => void,
): Promise<void> {
  const t0 = Date.now();
  try {
    const extra = await fn();
    steps.push({ name, ok: true, duration_ms: Date.now() - t0, ...extra });
    log?.(`demo: ${name} ok (${Date.now() - t0} ms)`);
  } catch (err) {
    steps.push({ name, ok: false, duration_ms: Date.now() - t0, error: (err as Error).message });
    log?.(`demo: ${name} FAILED: ${(err as Error).message}`);
  }
}

interface StoredSpan {
  first: number;
  last: number;
  n: number;
}

/** What is stored per (symbol, interval) since DEMO_START: one grouped scan. */
async function storedSpans(db: Db): Promise<Map<string, StoredSpan>> {
  const res = await db.query<{ symbol: string; interval: string; first: number; last: number; n: number }>(
    `SELECT i.symbol, b.interval, (extract(epoch FROM min(b.ts)) * 1000)::float8 AS first,
            (extract(epoch FROM max(b.ts)) * 1000)::float8 AS last, count(*)::float8 AS n
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      GROUP BY 1, 2`,
  );
  return new Map(
    res.rows.map((r) => [
      `${r.symbol}|${r.interval}`,
      { first: Number(r.first), last: Number(r.last), n: Number(r.n) },
    ]),
  );
}

/**
 * Bars a series still needs: none when the store already holds exactly the planned bars up to its last
 * one (a re-run the same day), the newer ones when only days were added since, all of them otherwise.
 */
function missingAfter(plan: DemoSeriesPlan, stored: StoredSpan | undefined): number | null | 'none' {
  if (!stored || plan.times[0] !== stored.first) return null;
  let upTo = 0;
  for (const t of plan.times) if (t <= stored.last) upTo += 1;
  if (upTo !== stored.n) return null;
  return upTo === plan.times.length ? 'none' : stored.last;
}

/**
 * Loads the demo's market data — real samples and the synthetic market around them (see demo-series.ts) —
 * through the quality gate, as one bulk upsert. Series already complete in the store are not regenerated.
 */
async function loadMarketData(db: Db, instruments: InstrumentRow[], now: number) {
  const plans = planDemoSeries(instruments, now);
  const stored = await storedSpans(db);
  const accepted: StoredBar[] = [];
  const rejected = new Map<string, Array<RejectedRow<StoredBar>>>();
  let unchanged = 0;
  let real = 0;
  let skipped = 0;
  for (const plan of plans) {
    const after = missingAfter(plan, stored.get(`${plan.instrument.symbol}|${plan.interval}`));
    if (after === 'none') {
      skipped += 1;
      unchanged += plan.times.length;
      continue;
    }
    const rows = demoBars(plan, after);
    const inst = plan.instrument;
    const gate = checkBars(rows, {
      instrument: { symbol: inst.symbol, assetClass: inst.assetClass, pegTarget: inst.pegTarget ?? null },
      mode: 'backfill',
      now,
    });
    for (const row of gate.accepted) {
      accepted.push(row);
      if (row.source !== 'synthetic') real += 1;
    }
    for (const r of gate.rejected) {
      const list = rejected.get(r.row.source) ?? [];
      list.push(r);
      rejected.set(r.row.source, list);
    }
    unchanged += gate.unchanged.length;
  }
  const res = await upsertBars(db, accepted);
  let quarantined = 0;
  const bySource: Record<string, number> = {};
  for (const [source, rows] of rejected) {
    quarantined += await quarantineRows(db, rows, source);
    bySource[source] = rows.length;
  }
  return {
    series: plans.length,
    series_complete: skipped,
    stored: res.stored,
    unchanged: res.unchanged + unchanged,
    real_rows: real,
    quarantined,
    quarantined_by_source: bySource,
  };
}

/**
 * The main job on the embedded default: load the universe, fill the store offline with the real samples and
 * the deterministic synthetic market around them, then run the extra steps (analytics, risk). Idempotent.
 */
export async function runDemo(db: Db, options: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const steps: DemoStep[] = [];
  const log = options.log;
  let instruments: InstrumentRow[] = [];

  await step(
    steps,
    'universe',
    async () => {
      const res = await upsertInstruments(db, loadUniverse());
      instruments = await listInstruments(db);
      return { ...res, total: instruments.length };
    },
    log,
  );
  await step(steps, 'synthetic', () => loadMarketData(db, instruments, now), log);
  for (const extra of options.extraSteps ?? []) await step(steps, extra.name, () => extra.run(db), log);

  const range = await db.query<{ first: Date | null; last: Date | null }>(
    'SELECT min(ts) AS first, max(ts) AS last FROM market_data.bars',
  );
  const first = range.rows[0]?.first ?? null;
  const last = range.rows[0]?.last ?? null;
  return {
    instruments: instruments.length,
    bars: await countBars(db),
    prices: await countPrices(db),
    from: first ? toIso(first.getTime()) : null,
    to: last ? toIso(last.getTime()) : null,
    duration_ms: Date.now() - started,
    steps,
  };
}
