export { Atr, atr, type HighLowClose } from './atr.ts';
export { Bollinger, type BollingerSeries, type BollingerValue, bollinger } from './bollinger.ts';
export { Ema, ema } from './ema.ts';
export { Macd, type MacdOptions, type MacdSeries, type MacdValue, macd } from './macd.ts';
export { Rsi, rsi } from './rsi.ts';
export { Sma, sma } from './sma.ts';
export {
  ANNUALIZATION,
  annualizationFactor,
  HistoricalVolatility,
  historicalVolatility,
  periodsPerYear,
} from './volatility.ts';
