/**
 * Near-duplicate detection for news: the same wire story reaches several sites with the title changed only
 * in case, punctuation or the " - Publisher" suffix NewsAPI appends. Two titles are the same story when
 * their normalised keys are equal, or their word sets overlap by at least `NEAR_DUPLICATE_JACCARD`.
 */

/** Word-set Jaccard similarity at or above which two titles are one story. */
export const NEAR_DUPLICATE_JACCARD = 0.85;

/** Lower-case words of the title without punctuation and without a trailing " - Publisher" / " | Publisher". */
export function titleKey(title: string): string {
  const withoutPublisher = title.replace(/\s+[-–—|]\s+[^-–—|]{1,60}$/u, '');
  const base = withoutPublisher.trim() === '' ? title : withoutPublisher;
  return base
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function titleSimilarity(a: string, b: string): number {
  const sa = new Set(a.split(' ').filter(Boolean));
  const sb = new Set(b.split(' ').filter(Boolean));
  if (sa.size === 0 || sb.size === 0) return a === b ? 1 : 0;
  let inter = 0;
  for (const w of sa) if (sb.has(w)) inter += 1;
  return inter / (sa.size + sb.size - inter);
}

/** True when two normalised title keys name the same story. */
export function sameStory(keyA: string, keyB: string): boolean {
  return keyA === keyB || titleSimilarity(keyA, keyB) >= NEAR_DUPLICATE_JACCARD;
}
