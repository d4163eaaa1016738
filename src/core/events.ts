/** Financial events as stored in the `events` schema. Dates are YYYY-MM-DD (the exchange's calendar day). */

export const EVENT_TYPES = ['earnings', 'dividend', 'split', 'economic'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** Before market open, after market close, during market hours. */
export type TimeOfDay = 'bmo' | 'amc' | 'dmh';

export interface Earnings {
  symbol: string;
  reportDate: string;
  fiscalPeriod: string | null;
  timeOfDay: TimeOfDay | null;
  estimate: number | null;
  actual: number | null;
  /** actual − estimate, per share. */
  surprise: number | null;
  currency: string | null;
  source: string;
}

export interface Dividend {
  symbol: string;
  /** First day the share trades without the dividend: adjustment applies to bars before it. */
  exDate: string;
  recordDate: string | null;
  payDate: string | null;
  declarationDate: string | null;
  /** Cash per share. */
  amount: number;
  currency: string | null;
  frequency: number | null;
  dividendType: string | null;
  source: string;
}

/** `splitTo` new shares for every `splitFrom` old ones: a 10-for-1 split is to = 10, from = 1. */
export interface Split {
  symbol: string;
  exDate: string;
  splitFrom: number;
  splitTo: number;
  source: string;
}

export interface EconomicEvent {
  seriesId: string;
  releaseDate: string;
  period: string;
  releaseName: string | null;
  actual: number | null;
  forecast: number | null;
  previous: number | null;
  source: string;
}
