export { atr } from './atr.ts';
export { bollinger } from './bollinger.ts';
export { ema } from './ema.ts';
export { macd } from './macd.ts';
export { rsi } from './rsi.ts';
export { sma } from './sma.ts';
export { historicalVolatility } from './volatility.ts';
