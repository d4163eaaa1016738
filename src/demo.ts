import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAY_MS, startOfUtcDay, toIso } from './core/time.ts';
import type { Interval, StoredBar, TimeRange } from './core/types.ts';
import { importFile } from './importer/import.ts';
import { checkBars, type RejectedRow } from './quality/gate.ts';
import { quarantineRows } from './quality/quarantine.ts';
import { syntheticBars } from './sources/synthetic/generator.ts';
import type { Db } from './store/db.ts';
import { countBars, upsertBars } from './store/repos/bars.ts';
import { type InstrumentRow, listInstruments, upsertInstruments } from './store/repos/instruments.ts';
import { countPrices } from './store/repos/prices.ts';
import { loadUniverse } from './universe.ts';

/** Real files shipped in `samples/` (see samples/README.md) and what they load. */
export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
export const SAMPLES: ReadonlyArray<{ file: string; symbol: string; interval: Interval }> = [
  { file: 'SPY_daily_1999-2020.csv', symbol: 'SPY', interval: '1d' },
  { file: 'EUR_USD_H1_2019.csv', symbol: 'EUR_USD', interval: '1h' },
  { file: 'USDC_kraken_hourly_2023-03.csv', symbol: 'USDC', interval: '1h' },
  { file: 'USDC_defillama_hourly_2023-03.csv', symbol: 'USDC', interval: '1d' },
  { file: 'USDT_defillama_hourly_2023-03.csv', symbol: 'USDT', interval: '1d' },
  { file: 'DAI_defillama_hourly_2023-03.csv', symbol: 'DAI', interval: '1d' },
];

/**
 * First day of the synthetic history. Fixed (and the generator is anchored in time), so a re-run regenerates
 * exactly the same bars (the demo is idempotent) and later days only append. Early 2022 so that the
 * synthetic history holds the stablecoin depeg episodes shaped like the real ones (USDT May 2022, USDC and
 * DAI March 2023).
 */
export const DEMO_START = Date.UTC(2022, 0, 1);
/** Days of hourly bars for 24/7 and FX instruments (the dashboard's 1D view reads them). */
export const DEMO_HOURLY_DAYS = 30;

export interface DemoStep {
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

function hasHourly(i: InstrumentRow): boolean {
  return i.assetClass === 'crypto' || i.assetClass === 'stablecoin' || i.assetClass === 'fx';
}

/** Loads synthetic bars for every priced instrument through the quality gate, as one bulk upsert. */
async function loadSynthetic(db: Db, instruments: InstrumentRow[], now: number) {
  const end = startOfUtcDay(now);
  const accepted: StoredBar[] = [];
  const rejected: Array<RejectedRow<StoredBar>> = [];
  let unchangedInBatch = 0;
  for (const inst of instruments) {
    if (inst.assetClass === 'economic') continue;
    const plans: Array<{ interval: Interval; range: TimeRange }> = [
      { interval: '1d', range: { from: DEMO_START, to: end } },
    ];
    if (hasHourly(inst))
      plans.push({ interval: '1h', range: { from: end - DEMO_HOURLY_DAYS * DAY_MS, to: end } });
    for (const { interval, range } of plans) {
      const rows: StoredBar[] = syntheticBars(inst, interval, range).map((b) => ({
        ...b,
        symbol: inst.symbol,
        interval,
        source: 'synthetic',
      }));
      const gate = checkBars(rows, {
        instrument: { symbol: inst.symbol, assetClass: inst.assetClass, pegTarget: inst.pegTarget ?? null },
        mode: 'backfill',
        now,
      });
      for (const row of gate.accepted) accepted.push(row);
      rejected.push(...gate.rejected);
      unchangedInBatch += gate.unchanged.length;
    }
  }
  const res = await upsertBars(db, accepted);
  await quarantineRows(db, rejected, 'synthetic');
  return { stored: res.stored, unchanged: res.unchanged + unchangedInBatch, quarantined: rejected.length };
}

/**
 * The main job on the embedded default: load the universe, fill the store offline with deterministic
 * synthetic data and the real samples, then run the extra steps (analytics, risk). Idempotent.
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
  await step(steps, 'synthetic', () => loadSynthetic(db, instruments, now), log);
  await step(
    steps,
    'samples',
    async () => {
      const files: Array<Record<string, unknown>> = [];
      for (const s of SAMPLES) {
        const res = await importFile(db, {
          file: join(SAMPLE_DIR, s.file),
          symbol: s.symbol,
          interval: s.interval,
          now,
        });
        files.push({
          file: s.file,
          symbol: s.symbol,
          stored: res.stored,
          unchanged: res.unchanged,
          quarantined: res.quarantined,
        });
      }
      return { files };
    },
    log,
  );
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
