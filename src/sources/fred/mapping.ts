/** FRED wire → economic domain rows (pure). */
import type { EconomicSeries, Observation } from '../../core/economic.ts';
import type { FredObservation, FredSeries } from './schema.ts';

/** FRED writes "." for a period without a value (e.g. a market holiday in a daily series). */
export function fredValue(text: string): number | null {
  const t = text.trim();
  if (t === '.' || t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function fredObservation(seriesId: string, o: FredObservation): Observation {
  return {
    seriesId,
    date: o.date,
    realtimeStart: o.realtime_start,
    realtimeEnd: o.realtime_end,
    value: fredValue(o.value),
    source: 'fred',
  };
}

/** "2013-07-31 09:26:16-05" → epoch ms (null when absent or unreadable). */
export function fredTimestamp(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})([+-]\d{2})(:?\d{2})?$/.exec(text.trim());
  if (!m) {
    const t = Date.parse(text);
    return Number.isFinite(t) ? t : null;
  }
  const minutes = m[4] ? m[4].replace(':', '') : '00';
  const t = Date.parse(`${m[1]}T${m[2]}${m[3]}:${minutes}`);
  return Number.isFinite(t) ? t : null;
}

export function fredSeries(s: FredSeries): EconomicSeries {
  return {
    id: s.id,
    title: s.title,
    frequency: s.frequency ?? null,
    units: s.units ?? null,
    seasonalAdjustment: s.seasonal_adjustment ?? null,
    lastUpdated: fredTimestamp(s.last_updated),
    observationStart: s.observation_start ?? null,
    observationEnd: s.observation_end ?? null,
    source: 'fred',
  };
}
