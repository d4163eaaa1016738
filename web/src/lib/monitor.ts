import { isRow, listOf, numOf, type Row, strOf } from './shapes.ts';

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
export function marketCard(coverage: unknown): CoverageCard {
  const rows = listOf(coverage, 'instruments');
  let records = 0;
  let first: string | null = null;
  let last: string | null = null;
  const symbols = new Set<string>();
  for (const r of rows) {
    const n = numOf(r, 'count') ?? 0;
    records += n;
    if (n > 0) symbols.add(strOf(r, 'symbol') ?? '?');
    first = minStr(first, strOf(r, 'first'));
    last = maxStr(last, strOf(r, 'last'));
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

/** The economic data, news and events cards from `/api/monitor/feeds` (`{feeds: [...]}`), by schema. */
export function feedCards(body: unknown): Record<string, CoverageCard> {
  const out: Record<string, CoverageCard> = {};
  for (const f of listOf(body, 'feeds')) {
    const schema = strOf(f, 'schema');
    if (!schema) continue;
    out[schema] = {
      schema,
      records: numOf(f, 'records'),
      instruments: numOf(f, 'instruments'),
      first: strOf(f, 'first'),
      last: strOf(f, 'last'),
      freshness_seconds: numOf(f, 'freshness_seconds'),
      unit: strOf(f, 'unit') ?? 'series',
    };
  }
  return out;
}

/** Coverage rows with a quality figure: stored bars / (stored + missing). */
export function symbolRows(coverage: unknown): Row[] {
  return listOf(coverage, 'instruments').map((r) => {
    const count = numOf(r, 'count') ?? 0;
    const gaps = numOf(r, 'gaps') ?? 0;
    return {
      symbol: r.symbol,
      interval: r.interval,
      count,
      gaps,
      quality: count + gaps > 0 ? count / (count + gaps) : null,
      first: r.first,
      last: r.last,
      freshness_seconds: r.freshness_seconds,
      source: r.source ?? null,
    };
  });
}

/** Quarantine counts by rule from `{counts: {rule: n}}` (or `by_rule`). */
export function quarantineByRule(body: unknown): Array<{ label: string; value: number }> {
  const by = isRow(body) ? (body.counts ?? body.by_rule) : undefined;
  if (!isRow(by)) return [];
  return Object.entries(by)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value);
}

/**
 * Coverage pushed over /ws/monitor carries no `source`: keep each row's source from the previous answer so
 * demo series stay marked.
 */
export function keepSources(next: Row, previous: unknown): Row {
  const known = new Map<string, unknown>();
  for (const r of listOf(previous, 'instruments')) known.set(`${r.symbol}|${r.interval}`, r.source);
  return {
    ...next,
    instruments: listOf(next, 'instruments').map((r) => ({
      ...r,
      source: r.source ?? known.get(`${r.symbol}|${r.interval}`) ?? null,
    })),
  };
}
