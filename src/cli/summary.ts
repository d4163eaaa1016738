import type { LoadSummary } from '../core/types.ts';
import { formatTable } from './table.ts';

/**
 * Whether a load failed as a whole: every instrument failed and nothing came back (exit 1). A provider
 * failing beside another that answered is partial success.
 */
export function nothingLoaded(s: LoadSummary): boolean {
  return s.failed > 0 && s.failed === s.instruments.length && s.read === 0;
}

/** The human form of an import/ingest/backfill summary. */
export function formatLoadSummary(s: LoadSummary): string {
  const head = `read ${s.read}, stored ${s.stored}, unchanged ${s.unchanged}, quarantined ${s.quarantined}, failed ${s.failed} in ${s.duration_ms} ms`;
  if (s.instruments.length <= 1 && !s.instruments.some((i) => i.error)) return head;
  return `${head}\n${formatTable(
    s.instruments.map((i) => ({ ...i, error: i.error ?? '' })),
    ['symbol', 'stored', 'quarantined', 'error'],
  )}`;
}
