/** Real series for analytics tests (see test/fixtures/analytics/PROVENANCE.md). Test-only helpers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/analytics/', import.meta.url));

export interface Ohlc {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** SPY daily bars 1999-11-01 → 2020-08-28 from pandas-ta (MIT). */
export function loadSpyDaily(): Ohlc {
  const lines = readFileSync(`${FIXTURES}pandasta_SPY_D.csv`, 'utf8').trim().split(/\r?\n/).slice(1);
  const n = lines.length;
  const out: Ohlc = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  lines.forEach((line, i) => {
    const [, date, open, high, low, close] = line.split(',');
    out.ts[i] = Date.parse(`${date}T00:00:00Z`);
    out.open[i] = Number(open);
    out.high[i] = Number(high);
    out.low[i] = Number(low);
    out.close[i] = Number(close);
  });
  return out;
}

/** USDC composite USD price (DeFiLlama), irregular ~hourly, 2023-03-08 → 2023-03-17. */
export function loadUsdcHourly(): { ts: Float64Array; price: Float64Array } {
  const lines = readFileSync(`${FIXTURES}fc27_usdc_price_hourly_2023-03.csv`, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  const ts = new Float64Array(lines.length);
  const price = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const [, t, p] = line.split(',');
    ts[i] = Number(t) * 1000;
    price[i] = Number(p);
  });
  return { ts, price };
}

/** Kraken USDC/USD hourly bars, 2023-03-08T00 → 2023-03-17T23. */
export function loadKrakenUsdcBars(): Ohlc {
  const lines = readFileSync(`${FIXTURES}fc27_kraken_usdcusd_hourly_2023-03.csv`, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  const n = lines.length;
  const out: Ohlc = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  lines.forEach((line, i) => {
    const [t, open, high, low, close] = line.split(',');
    out.ts[i] = Date.parse(String(t));
    out.open[i] = Number(open);
    out.high[i] = Number(high);
    out.low[i] = Number(low);
    out.close[i] = Number(close);
  });
  return out;
}
