/**
 * The real market data shipped in `samples/` (provenance in samples/README.md), read once per process. The
 * demo stores these rows under their real source; the synthetic market is calibrated on them and anchored
 * to them (its closes equal the real closes wherever a real close exists), so synthetic rows continue real
 * series instead of contradicting them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../core/errors.ts';
import type { Bar } from '../../core/types.ts';

/** `samples/` at the package root (the same depth under src/ and dist/). */
/** @public Also read from dist/ by the compiled-bin test. */
export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'samples');

interface RealSampleFile {
  /** Path under samples/, generic CSV `ts,open,high,low,close,volume` (ISO dates or instants, UTC). */
  file: string;
  symbol: string;
  interval: '1d' | '1h';
  /** The provider the rows came from, stored as the bars' `source`. */
  source: string;
}

/** Every real price file the demo loads, finest first within a symbol is not required. */
const REAL_SAMPLE_FILES: readonly RealSampleFile[] = Object.freeze([
  { file: 'daily/SPY_yahoo_daily_2021-2026.csv', symbol: 'SPY', interval: '1d', source: 'yahoo' },
  { file: 'daily/VOO_yahoo_daily_2021-2025.csv', symbol: 'VOO', interval: '1d', source: 'yahoo' },
  { file: 'daily/AAPL_yahoo_daily_2021-2025.csv', symbol: 'AAPL', interval: '1d', source: 'yahoo' },
  { file: 'daily/BTC_yahoo_daily_2021-2025.csv', symbol: 'BTC', interval: '1d', source: 'yahoo' },
  { file: 'daily/ETH_yahoo_daily_2021-2026.csv', symbol: 'ETH', interval: '1d', source: 'yahoo' },
  { file: 'hourly/BTC_yahoo_1h_2026.csv', symbol: 'BTC', interval: '1h', source: 'yahoo' },
  { file: 'hourly/SPY_yahoo_1h_2026.csv', symbol: 'SPY', interval: '1h', source: 'yahoo' },
  { file: 'fx/EUR_USD_oanda_1h_2020.csv', symbol: 'EUR_USD', interval: '1h', source: 'oanda' },
  { file: 'fx/GBP_USD_oanda_1h_2020.csv', symbol: 'GBP_USD', interval: '1h', source: 'oanda' },
  { file: 'fx/USD_JPY_oanda_1h_2020.csv', symbol: 'USD_JPY', interval: '1h', source: 'oanda' },
  {
    file: 'stablecoins/USDC_coinmarketcap_daily_2022-2023.csv',
    symbol: 'USDC',
    interval: '1d',
    source: 'coinmarketcap',
  },
  {
    file: 'stablecoins/USDT_coinmarketcap_daily_2022-2023.csv',
    symbol: 'USDT',
    interval: '1d',
    source: 'coinmarketcap',
  },
  {
    file: 'stablecoins/DAI_coinmarketcap_daily_2022-2023.csv',
    symbol: 'DAI',
    interval: '1d',
    source: 'coinmarketcap',
  },
  { file: 'stablecoins/USDC_kraken_1h_2023-03.csv', symbol: 'USDC', interval: '1h', source: 'kraken' },
  { file: 'stablecoins/USDT_coinbase_1h_2023-03.csv', symbol: 'USDT', interval: '1h', source: 'coinbase' },
  { file: 'stablecoins/DAI_defillama_1h_2023-03.csv', symbol: 'DAI', interval: '1h', source: 'defillama' },
]);

/** FRED SP500 closes (`DATE,SP500`, "." for no value): the S&P 500 index level the SPX series is anchored to. */
const SPX_FRED_FILE = 'index/SP500_fred_2021-2024.csv';

interface RealSeries extends RealSampleFile {
  /** Ascending by time, one bar per `ts`. */
  bars: Bar[];
}

export interface RealSamples {
  series: readonly RealSeries[];
  /** SPX closes from FRED: ts (UTC midnight) → level. */
  spx: ReadonlyMap<number, number>;
}

const cache = new Map<string, RealSamples>();

/** Reads every real sample under `dir` (cached per directory: the files ship with the package). */
export function loadRealSamples(dir: string = SAMPLE_DIR): RealSamples {
  const hit = cache.get(dir);
  if (hit) return hit;
  const series = REAL_SAMPLE_FILES.map((f) => ({ ...f, bars: parseBarsCsv(join(dir, f.file)) }));
  const samples = { series, spx: parseFredCsv(join(dir, SPX_FRED_FILE)) };
  cache.set(dir, samples);
  return samples;
}

function parseBarsCsv(path: string): Bar[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const bars: Bar[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i];
    if (!line) continue;
    const [ts, open, high, low, close, volume] = line.split(',');
    const bar = {
      ts: Date.parse(ts && ts.length === 10 ? `${ts}T00:00:00Z` : (ts ?? '')),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
    if (!Object.values(bar).every(Number.isFinite)) {
      throw new ValidationError(`${path}:${i + 1}: unreadable sample row "${line}"`);
    }
    bars.push(bar);
  }
  return bars;
}

function parseFredCsv(path: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    const [date, value] = line.split(',');
    if (!date || !value || value === '.') continue;
    out.set(Date.parse(`${date}T00:00:00Z`), Number(value));
  }
  return out;
}
