import type { AssetClass } from '../../core/types.ts';

/**
 * Built-in stress scenarios used when the store has no scenario of that name. Impacts are one-day level
 * shocks by asset class (or symbol); `depeg` is a daily price shape for stablecoins.
 * Sources: S&P 500 fell 20 % in the week of 15 Oct 2008 and 34 % from 19 Feb to 23 Mar 2020 (compressed
 * here to one shock); USDC closed about 0.97, 0.88, 0.97, 0.99 on 10–13 Mar 2023 (CoinGecko daily; see
 * /work/shared/data/stablecoin_depeg for the hourly path).
 */
export interface ScenarioDefinition {
  name: string;
  description: string;
  impacts: Partial<Record<AssetClass, number>> & Record<string, number>;
  depeg?: readonly number[];
}

export const BUILTIN_SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = Object.freeze({
  crash_2008: {
    name: 'crash_2008',
    description: 'Global financial crisis week: equities −20 %, crypto −35 %',
    impacts: { equity: -0.2, etf: -0.2, index: -0.2, crypto: -0.35, fx: -0.03 },
  },
  covid_2020: {
    name: 'covid_2020',
    description: 'March 2020 crash: equities −34 %, crypto −50 %',
    impacts: { equity: -0.34, etf: -0.34, index: -0.34, crypto: -0.5, fx: -0.05 },
  },
  crypto_winter: {
    name: 'crypto_winter',
    description: 'Terra/FTX style crypto crash: crypto −60 %, equities −5 %',
    impacts: { crypto: -0.6, equity: -0.05, etf: -0.05 },
  },
  usdc_depeg_2023: {
    name: 'usdc_depeg_2023',
    description: 'USDC depeg of March 2023 (daily shape) for stablecoins; crypto −8 %',
    impacts: { crypto: -0.08 },
    depeg: [0.97, 0.88, 0.97, 0.99, 1],
  },
});
