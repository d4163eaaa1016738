/**
 * Who moves with whom in the synthetic market: each instrument's loadings on the common factors. Equities
 * load on the market and on their sector; ETFs on what they hold (SPY, VOO, VTI and the SPX index are the
 * market itself); coins on the crypto factor; FX pairs are built from currencies (see model.ts). The sector
 * lists are the universe's names grouped as an equity analyst would; a symbol missing here is a plain
 * large cap (market beta 1, its own "other" sector).
 */
import type { AssetClass } from '../../core/types.ts';
import type { Calibration } from './calibrate.ts';

export type FactorName =
  | 'market'
  | 'crypto'
  | 'usd'
  | 'rates'
  | 'credit'
  | 'gold'
  | 'oil'
  | `sector:${string}`;

interface Exposure {
  factor: FactorName;
  /** Loading; for `sector:*` in units of the calibrated sector volatility. */
  beta: number;
}

export interface InstrumentModel {
  exposures: readonly Exposure[];
  /** Idiosyncratic daily sd as a multiple of the calibrated residual (equities) or an absolute sd. */
  idio: { scale: number } | { vol: number };
}

const SECTORS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  tech: ['AAPL', 'MSFT', 'GOOGL', 'META', 'AMZN', 'ORCL', 'ADBE', 'CRM', 'NFLX'],
  semis: ['NVDA', 'AVGO', 'AMD', 'TSM', 'MU', 'SMCI', 'ANET', 'VRT'],
  financials: ['JPM', 'BAC', 'V', 'MA', 'BRK.B'],
  health: ['LLY', 'UNH', 'JNJ', 'ABBV', 'MRK'],
  energy: ['XOM', 'CVX'],
  staples: ['PG', 'KO', 'PEP', 'COST'],
  consumer: ['HD', 'NKE', 'SBUX', 'MCD', 'LULU', 'CMG', 'TSLA'],
  defense: ['LMT', 'RTX', 'NOC', 'GD', 'PLTR'],
  quantum: ['IONQ', 'RGTI', 'QBTS', 'QUBT'],
  reits: ['EQIX', 'DLR', 'PLD', 'AMT'],
  power: ['CEG', 'OKLO', 'SMR', 'NEE', 'CCJ'],
});

/** Market beta and idiosyncratic scale by sector (speculative themes move more on their own). */
const SECTOR_STYLE: Readonly<Record<string, { beta: number; idio: number }>> = Object.freeze({
  tech: { beta: 1.15, idio: 0.9 },
  semis: { beta: 1.5, idio: 1.3 },
  financials: { beta: 1.0, idio: 0.8 },
  health: { beta: 0.6, idio: 0.9 },
  energy: { beta: 0.8, idio: 1.1 },
  staples: { beta: 0.55, idio: 0.7 },
  consumer: { beta: 1.05, idio: 1.1 },
  defense: { beta: 0.7, idio: 0.9 },
  quantum: { beta: 2.0, idio: 4.0 },
  reits: { beta: 0.9, idio: 0.9 },
  power: { beta: 1.1, idio: 1.8 },
  other: { beta: 1.0, idio: 1.0 },
});

const SECTOR_OF = new Map<string, string>(
  Object.entries(SECTORS).flatMap(([sector, names]) => names.map((n) => [n, sector] as const)),
);

const m = (beta: number): Exposure => ({ factor: 'market', beta });
const s = (sector: string, beta = 1): Exposure => ({ factor: `sector:${sector}`, beta });

/** ETFs: what they hold. Tracking noise (`vol`) in daily sd. */
const ETFS: Readonly<Record<string, InstrumentModel>> = Object.freeze({
  SPY: { exposures: [m(1)], idio: { vol: 0 } },
  VOO: { exposures: [m(1)], idio: { vol: 0.0002 } },
  VTI: { exposures: [m(1.02)], idio: { vol: 0.0012 } },
  DIA: { exposures: [m(0.9), s('financials', 0.2)], idio: { vol: 0.003 } },
  QQQ: { exposures: [m(1.15), s('tech', 0.8), s('semis', 0.3)], idio: { vol: 0.002 } },
  IWM: { exposures: [m(1.2)], idio: { vol: 0.007 } },
  EFA: { exposures: [m(0.75), { factor: 'usd', beta: -0.8 }], idio: { vol: 0.005 } },
  EEM: { exposures: [m(0.8), { factor: 'usd', beta: -1 }], idio: { vol: 0.007 } },
  AGG: {
    exposures: [
      { factor: 'rates', beta: 0.45 },
      { factor: 'credit', beta: 0.1 },
    ],
    idio: { vol: 0.0008 },
  },
  TLT: { exposures: [{ factor: 'rates', beta: 1.6 }], idio: { vol: 0.002 } },
  IEF: { exposures: [{ factor: 'rates', beta: 0.7 }], idio: { vol: 0.001 } },
  SHY: { exposures: [{ factor: 'rates', beta: 0.12 }], idio: { vol: 0.0003 } },
  LQD: {
    exposures: [
      { factor: 'rates', beta: 0.8 },
      { factor: 'credit', beta: 0.4 },
    ],
    idio: { vol: 0.001 },
  },
  HYG: { exposures: [m(0.25), { factor: 'credit', beta: 0.8 }], idio: { vol: 0.001 } },
  GLD: { exposures: [{ factor: 'gold', beta: 1 }], idio: { vol: 0.001 } },
  SLV: { exposures: [{ factor: 'gold', beta: 1.3 }], idio: { vol: 0.011 } },
  USO: { exposures: [m(0.4), { factor: 'oil', beta: 1 }], idio: { vol: 0.004 } },
  XLF: { exposures: [m(1.0), s('financials', 0.9)], idio: { vol: 0.002 } },
  XLK: { exposures: [m(1.15), s('tech', 0.8), s('semis', 0.3)], idio: { vol: 0.002 } },
  XLE: { exposures: [m(0.8), s('energy', 0.9), { factor: 'oil', beta: 0.3 }], idio: { vol: 0.003 } },
  XLV: { exposures: [m(0.6), s('health', 0.9)], idio: { vol: 0.002 } },
  XLY: { exposures: [m(1.05), s('consumer', 0.9)], idio: { vol: 0.002 } },
  XLP: { exposures: [m(0.55), s('staples', 0.9)], idio: { vol: 0.002 } },
  XLI: { exposures: [m(1.0), s('defense', 0.5)], idio: { vol: 0.003 } },
  XLU: { exposures: [m(0.5), s('power', 0.5), { factor: 'rates', beta: 0.5 }], idio: { vol: 0.004 } },
  VNQ: { exposures: [m(0.9), s('reits', 0.8), { factor: 'rates', beta: 0.4 }], idio: { vol: 0.003 } },
  ARKK: { exposures: [m(1.7), s('tech', 0.5), s('quantum', 0.3)], idio: { vol: 0.012 } },
  SMH: { exposures: [m(1.5), s('semis', 0.95)], idio: { vol: 0.003 } },
  SOXX: { exposures: [m(1.5), s('semis', 0.95)], idio: { vol: 0.003 } },
  IBIT: { exposures: [{ factor: 'crypto', beta: 1 }], idio: { vol: 0.001 } },
});

/** Coins: crypto beta (ETH's calibrated beta scaled per coin) and idiosyncratic scale. */
const COINS: Readonly<Record<string, { beta: number; idio: number }>> = Object.freeze({
  BTC: { beta: 1, idio: 0 },
  ETH: { beta: 1, idio: 1 },
  BNB: { beta: 0.8, idio: 0.9 },
  SOL: { beta: 1.3, idio: 1.5 },
  XRP: { beta: 1.0, idio: 1.4 },
  ADA: { beta: 1.1, idio: 1.2 },
  DOGE: { beta: 1.2, idio: 1.8 },
  AVAX: { beta: 1.3, idio: 1.4 },
  DOT: { beta: 1.1, idio: 1.2 },
  LINK: { beta: 1.2, idio: 1.3 },
});

/** The factor model of one (non-FX, non-stablecoin) instrument. */
export function instrumentModel(symbol: string, assetClass: AssetClass, c: Calibration): InstrumentModel {
  const altBeta = c.altBeta;
  if (assetClass === 'index') return { exposures: [m(1)], idio: { vol: 0.0003 } };
  if (assetClass === 'etf') return ETFS[symbol] ?? { exposures: [m(1)], idio: { scale: 0.5 } };
  if (assetClass === 'crypto') {
    const coin = COINS[symbol] ?? { beta: 1, idio: 1.5 };
    const beta = symbol === 'BTC' ? 1 : coin.beta * altBeta;
    return { exposures: [{ factor: 'crypto', beta }], idio: { scale: coin.idio } };
  }
  const sector = SECTOR_OF.get(symbol) ?? 'other';
  const style = SECTOR_STYLE[sector] ?? { beta: 1, idio: 1 };
  // Tech betas are AAPL's measured beta on SPY; other sectors keep their documented betas.
  const beta = sector === 'tech' ? c.equityBeta : style.beta;
  return { exposures: [m(beta), s(sector)], idio: { scale: style.idio } };
}
