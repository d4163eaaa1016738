/**
 * Polygon.io reference wire formats: `/v3/reference/dividends`
 * (https://polygon.io/docs/stocks/get_v3_reference_dividends) and `/v3/reference/splits`
 * (https://polygon.io/docs/stocks/get_v3_reference_splits). Cursor paging through `next_url`.
 */
import { z } from 'zod';

const PolygonDividend = z.object({
  cash_amount: z.number(),
  currency: z.string().optional(),
  declaration_date: z.string().optional(),
  /** CD regular cash, SC special cash, LT/ST long/short-term capital gain. */
  dividend_type: z.string().optional(),
  ex_dividend_date: z.string(),
  /** Payments a year: 0 one-time, 1 annual, 2, 4 quarterly, 12 monthly. */
  frequency: z.number().optional(),
  pay_date: z.string().optional(),
  record_date: z.string().optional(),
  ticker: z.string(),
  id: z.string().optional(),
});

const PolygonSplit = z.object({
  execution_date: z.string(),
  split_from: z.number(),
  split_to: z.number(),
  ticker: z.string(),
  id: z.string().optional(),
});

const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    status: z.string(),
    request_id: z.string().optional(),
    results: z.array(item).optional(),
    next_url: z.string().optional(),
    error: z.string().optional(),
    message: z.string().optional(),
  });

export const PolygonDividendsResponse = page(PolygonDividend);
export const PolygonSplitsResponse = page(PolygonSplit);
