/** Alpha Vantage wire → news items and earnings (pure). */
import type { Earnings, TimeOfDay } from '../../core/events.ts';
import { type NewsItem, SENTIMENT_LABELS, type SentimentLabel, sentimentLabel } from '../../core/news.ts';
import type { AvFeedItem } from './schema.ts';

/** "20240110T153000" → epoch ms (UTC), NaN when unreadable. */
export function avTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(text.trim());
  if (!m) return Number.NaN;
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
}

/** Alpha Vantage spells the middle labels "Somewhat-Bullish" or "Somewhat_Bullish"; ours use the hyphen. */
function label(text: string, score: number): SentimentLabel {
  const norm = text.replace('_', '-');
  return (SENTIMENT_LABELS as readonly string[]).includes(norm)
    ? (norm as SentimentLabel)
    : sentimentLabel(score);
}

/**
 * A feed item as a news item, with one sentiment per ticker we track (`symbolOf` maps the provider ticker to
 * our symbol, undefined for others).
 */
export function avNewsItem(
  item: AvFeedItem,
  symbolOf: (ticker: string) => string | undefined,
): NewsItem | undefined {
  const publishedAt = avTime(item.time_published);
  if (!Number.isFinite(publishedAt) || item.title.trim() === '') return undefined;
  const sentiments = (item.ticker_sentiment ?? []).flatMap((t) => {
    const symbol = symbolOf(t.ticker);
    const score = t.ticker_sentiment_score;
    if (symbol === undefined || !Number.isFinite(score)) return [];
    const relevance = Number.isFinite(t.relevance_score) ? Math.min(1, Math.max(0, t.relevance_score)) : null;
    return [
      {
        symbol,
        provider: 'alphavantage',
        score: Math.max(-1, Math.min(1, score)),
        label: label(t.ticker_sentiment_label, score),
        relevance,
      },
    ];
  });
  return {
    article: {
      url: item.url,
      title: item.title.trim(),
      description: item.summary ?? null,
      author: item.authors?.join(', ') || null,
      source: item.source,
      provider: 'alphavantage',
      publishedAt,
      language: 'en',
    },
    sentiments,
  };
}

const TIME_OF_DAY: Record<string, TimeOfDay> = {
  'pre-market': 'bmo',
  'post-market': 'amc',
  'during-market': 'dmh',
};

/** Minimal CSV: comma-separated, double-quoted fields may hold commas and "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

/**
 * EARNINGS_CALENDAR CSV (`symbol,name,reportDate,fiscalDateEnding,estimate,currency[,timeOfTheDay]`) →
 * earnings rows for the symbols `symbolOf` knows. The calendar has estimates only; actuals come later.
 */
export function avEarningsCalendar(
  csv: string,
  symbolOf: (ticker: string) => string | undefined,
): Earnings[] {
  const [header, ...rows] = parseCsv(csv);
  if (header === undefined) return [];
  const col = (name: string) => header.findIndex((h) => h.trim() === name);
  const [iSym, iDate, iEnd, iEst, iCur, iTime] = [
    'symbol',
    'reportDate',
    'fiscalDateEnding',
    'estimate',
    'currency',
    'timeOfTheDay',
  ].map(col);
  const out: Earnings[] = [];
  for (const r of rows) {
    const cell = (i: number | undefined) => (i === undefined || i < 0 ? '' : (r[i] ?? '').trim());
    const symbol = symbolOf(cell(iSym));
    if (symbol === undefined) continue;
    const est = cell(iEst);
    out.push({
      symbol,
      reportDate: cell(iDate),
      fiscalPeriod: cell(iEnd) || null,
      timeOfDay: TIME_OF_DAY[cell(iTime)] ?? null,
      estimate: est === '' ? null : Number(est),
      actual: null,
      surprise: null,
      currency: cell(iCur) || null,
      source: 'alphavantage',
    });
  }
  return out;
}
