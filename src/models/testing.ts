/**
 * The real daily series shipped in samples/ as model inputs, for tests and the benchmark: USDC, USDT and
 * DAI (CoinMarketCap 2022–2023), UST (CoinMarketCap 2022, the Terra collapse) and BTC (Yahoo) as the
 * market-stress series.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alignDaily, type DailySeries, type DepegPanel } from './features.ts';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

function readCsv(file: string): {
  ts: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
} {
  const lines = readFileSync(`${SAMPLES}${file}`, 'utf8').trim().split('\n').slice(1);
  const out = {
    ts: [] as number[],
    open: [] as number[],
    high: [] as number[],
    low: [] as number[],
    close: [] as number[],
    volume: [] as number[],
  };
  for (const line of lines) {
    const [ts, o, h, l, c, v] = line.split(',');
    out.ts.push(Date.parse(`${ts}T00:00:00Z`));
    out.open.push(Number(o));
    out.high.push(Number(h));
    out.low.push(Number(l));
    out.close.push(Number(c));
    out.volume.push(Number(v));
  }
  return out;
}

export const SAMPLE_COINS = [
  { symbol: 'USDC', file: 'stablecoins/USDC_coinmarketcap_daily_2022-2023.csv' },
  { symbol: 'USDT', file: 'stablecoins/USDT_coinmarketcap_daily_2022-2023.csv' },
  { symbol: 'DAI', file: 'stablecoins/DAI_coinmarketcap_daily_2022-2023.csv' },
  { symbol: 'UST', file: 'stablecoins/UST_coinmarketcap_daily_2022.csv' },
] as const;

export const SAMPLE_BTC = 'daily/BTC_yahoo_daily_2021-2025.csv';

type Columns = ReturnType<typeof readCsv>;

export function sampleSeries(): { coins: (DailySeries & Columns)[]; btc: Columns } {
  return {
    coins: SAMPLE_COINS.map((c) => ({ symbol: c.symbol, peg: 1, ...readCsv(c.file) })),
    btc: readCsv(SAMPLE_BTC),
  };
}

/** The shipped stablecoin panel, optionally cut to days before `to` (epoch ms, exclusive). */
export function samplePanel(to = Number.POSITIVE_INFINITY): DepegPanel {
  const { coins, btc } = sampleSeries();
  const cut = <T extends { ts: number[] }>(s: T): T => {
    const n = s.ts.filter((t) => t < to).length;
    return Object.fromEntries(
      Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, n) : v]),
    ) as T;
  };
  return alignDaily(coins.map(cut), cut(btc));
}

/** Daily log returns of a shipped daily CSV (e.g. `daily/SPY_yahoo_daily_2021-2026.csv`). */
export function sampleReturns(file: string): number[] {
  const c = readCsv(file).close;
  const r: number[] = [];
  for (let i = 1; i < c.length; i++) {
    const a = c[i - 1] as number;
    const b = c[i] as number;
    if (a > 0 && b > 0) r.push(Math.log(b / a));
  }
  return r;
}

/** Daily log returns of several shipped daily CSVs on the days all of them have a close (and the day before). */
export function alignedSampleReturns(files: readonly string[]): Float64Array[] {
  const series = files.map((f) => readCsv(f));
  const maps = series.map((s) => new Map(s.ts.map((t, i) => [t, s.close[i] as number])));
  const days = (series[0]?.ts ?? []).filter((t) => maps.every((m) => m.has(t)));
  return maps.map((m) => {
    const out = new Float64Array(Math.max(0, days.length - 1));
    for (let i = 1; i < days.length; i++)
      out[i - 1] = Math.log((m.get(days[i] as number) as number) / (m.get(days[i - 1] as number) as number));
    return out;
  });
}

/** Days and closes of a shipped daily CSV (e.g. `daily/BTC_yahoo_daily_2021-2025.csv`). */
export function sampleCloses(file: string): { ts: number[]; close: number[] } {
  const c = readCsv(file);
  return { ts: c.ts, close: c.close };
}
