import type {
  Coverage,
  CoverageInstrument,
  Feeds,
  MonitorMessage,
} from '../../../src/api/contract/monitor.ts';
import type { Quarantine } from '../../../src/api/contract/quality.ts';

/** The data domains the monitor shows a card for, by schema. */
export const DOMAINS = ['market_data', 'economic_data', 'news', 'events'] as const;

const NAMES: Record<string, string> = {
  market_data: 'Market data',
  economic_data: 'Economic data',
  news: 'News',
  events: 'Events',
};
export function schemaName(s: string): string {
  return NAMES[s] ?? s.replace(/_/g, ' ');
}

/** One coverage card: records, instruments (or series), date range and freshness of a domain. */
export interface CoverageCard {
  schema: string;
  records: number | null;
  instruments: number | null;
  first: string | null;
  last: string | null;
  freshness_seconds: number | null;
  /** What `instruments` counts: instruments, FRED series, news sources. */
  unit: string;
}

function minStr(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
function maxStr(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
function age(last: string | null): number | null {
  if (!last) return null;
  const t = Date.parse(last);
  return Number.isNaN(t) ? null : Math.max(0, (Date.now() - t) / 1000);
}

/** The market-data card from `/api/monitor/coverage` rows (per instrument and interval). */
export function marketCard(coverage: Coverage): CoverageCard {
  let records = 0;
  let first: string | null = null;
  let last: string | null = null;
  const symbols = new Set<string>();
  for (const r of coverage.instruments) {
    records += r.count;
    if (r.count > 0) symbols.add(r.symbol);
    first = minStr(first, r.first);
    last = maxStr(last, r.last);
  }
  return {
    schema: 'market_data',
    records,
    instruments: symbols.size,
    first,
    last,
    freshness_seconds: age(last),
    unit: 'instruments',
  };
}

/** The economic data, news and events cards from `/api/monitor/feeds`, by schema. */
export function feedCards(body: Feeds | null): Record<string, CoverageCard> {
  const out: Record<string, CoverageCard> = {};
  for (const f of body?.feeds ?? []) out[f.schema] = f;
  return out;
}

/** A coverage row with a quality figure: stored bars / (stored + missing). */
export type SymbolRow = CoverageInstrument & { quality: number | null };

/** Coverage rows with a quality figure: stored bars / (stored + missing). */
export function symbolRows(coverage: Coverage | null): SymbolRow[] {
  return (coverage?.instruments ?? []).map((r) => ({
    ...r,
    quality: r.count + r.gaps > 0 ? r.count / (r.count + r.gaps) : null,
  }));
}

/** Quarantine counts by rule, largest first. */
export function quarantineByRule(body: Quarantine | null): Array<{ label: string; value: number }> {
  return Object.entries(body?.counts ?? {})
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value);
}

/**
 * Coverage pushed over /ws/monitor carries no `source`: keep each row's source from the previous answer so
 * demo series stay marked.
 */
export function keepSources(
  next: Extract<MonitorMessage, { type: 'coverage' }>,
  previous: Coverage | null,
): Coverage {
  const known = new Map<string, string | null>();
  for (const r of previous?.instruments ?? []) known.set(`${r.symbol}|${r.interval}`, r.source);
  return {
    instruments: next.instruments.map((r) => ({
      ...r,
      source: known.get(`${r.symbol}|${r.interval}`) ?? null,
    })),
  };
}
