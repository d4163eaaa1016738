import { z } from 'zod';
import { errorResponses, SymbolParams } from './common.ts';

/** `GET /api/volatility/:symbol`: the newest stored volatility metrics of an instrument. */

const metric = z.number().nullable().optional();
/** The stored metric columns (src/store/repos/derived.ts `VOL_COLUMNS`); HV annualised, null in warm-up. */
const Volatility = z.object({
  symbol: z.string(),
  interval: z.string(),
  ts: z.string(),
  hv_20: metric,
  hv_50: metric,
  sma_15: metric,
  sma_30: metric,
  sma_50: metric,
  bb_upper: metric,
  bb_middle: metric,
  bb_lower: metric,
  atr_14: metric,
});

/** Route schemas (OpenAPI document, validation, serialisation). */
export const volatilityRoutes = {
  get: {
    summary: 'Latest volatility metrics (HV 20/50 annualised, SMA 15/30/50, Bollinger, ATR 14)',
    description: 'As stored by the analytics run; daily interval cached in `metrics:{symbol}` (1 h).',
    tags: ['analytics'],
    params: SymbolParams,
    querystring: z.object({ interval: z.enum(['1h', '4h', '1d']).default('1d') }),
    response: { 200: Volatility, ...errorResponses },
  },
} as const;
