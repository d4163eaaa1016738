/**
 * Offline news for the demo: `samples/news/articles.json`, a NewsAPI-shaped body (20 real articles and a few
 * synthetic market headlines; provenance in samples/README.md). Articles name their instruments in an added
 * `symbols` field and are scored with our lexicon; symbols without an instrument are skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { NewsItem } from '../../../core/news.ts';
import { newsApiItem } from '../../../sources/newsapi/mapping.ts';
import { NewsApiArticle } from '../../../sources/newsapi/schema.ts';
import { SAMPLE_DIR } from '../../../sources/synthetic/real-samples.ts';
import type { Db } from '../../../store/db.ts';
import { storeNews } from '../../../store/repos/news.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { withLexicon } from './lexicon.ts';

/** @public Also read from dist/ by the compiled-bin test. */
export const NEWS_SAMPLE_FILE = join(SAMPLE_DIR, 'news', 'articles.json');

const SampleFile = z.object({
  articles: z.array(NewsApiArticle.extend({ symbols: z.array(z.string()).optional() })),
});

/** Loads the shipped news samples. Idempotent (URLs and titles dedupe). */
export async function loadNewsSamples(db: Db, file = NEWS_SAMPLE_FILE): Promise<RecordLoadSummary> {
  const started = Date.now();
  const parsed = SampleFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const known = new Set(
    (await db.query<{ symbol: string }>('SELECT symbol FROM market_data.instruments')).rows.map(
      (r) => r.symbol,
    ),
  );
  const bySymbol = new Map<string, NewsItem[]>();
  for (const a of parsed.articles) {
    const item = newsApiItem(a, 'en');
    if (item === undefined) continue;
    item.article.provider = 'sample';
    const symbols = (a.symbols ?? []).filter((s) => known.has(s));
    for (const s of symbols.length > 0 ? symbols : ['']) {
      const list = bySymbol.get(s) ?? [];
      list.push(s === '' ? item : (withLexicon([item], s)[0] ?? item));
      bySymbol.set(s, list);
    }
  }
  const items: ItemOutcome[] = [];
  for (const [symbol, list] of bySymbol) {
    const r = await storeNews(db, list);
    items.push({
      symbol: symbol || '(general)',
      read: list.length,
      stored: r.stored,
      unchanged: r.unchanged,
      quarantined: 0,
    });
  }
  return summarize('full', started, items);
}
