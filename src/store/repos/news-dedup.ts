/**
 * Near-duplicate detection for news: the same wire story reaches several sites with the title changed only
 * in case, punctuation or the " - Publisher" suffix NewsAPI appends. Two titles are the same story when
 * their normalised keys are equal, or their word sets overlap by at least `NEAR_DUPLICATE_JACCARD` and one
 * holds every word of the other (a site added or dropped words).
 *
 * Templated articles are not duplicates: Benzinga's "Market Whales and Their Recent Bets on GOLD Options"
 * appears every few days under a new URL with new numbers, and its NEM twin differs by one substituted word.
 * So a substituted word (each title has words the other lacks) means two stories, and two URLs of the same
 * site are one story only when published within the hour or when their descriptions say the same — see
 * `sameArticle`.
 */

/** Word-set Jaccard similarity at or above which two titles are one story. */
const NEAR_DUPLICATE_JACCARD = 0.85;

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

/** True when two normalised title keys name the same story (equal, or near-equal by added words only). */
export function sameStory(keyA: string, keyB: string): boolean {
  if (keyA === keyB) return true;
  if (titleSimilarity(keyA, keyB) < NEAR_DUPLICATE_JACCARD) return false;
  const a = new Set(keyA.split(' ').filter(Boolean));
  const b = new Set(keyB.split(' ').filter(Boolean));
  const aInB = [...a].every((w) => b.has(w));
  const bInA = [...b].every((w) => a.has(w));
  return aInB || bInA;
}

/** Same-site copies published further apart than this are separate articles unless descriptions match. */
const SAME_SITE_WINDOW_MS = 3_600_000;

/** What dedup compares of an article. */
export interface DedupView {
  url: string;
  /** titleKey of the title. */
  key: string;
  description: string | null;
  /** UTC ms. */
  at: number;
}

function host(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/**
 * True when two articles (already within the dedup window) are one: the same URL, or the same story by
 * title — on two sites (syndication), or on one site under two URLs when published within
 * SAME_SITE_WINDOW_MS of each other or when their descriptions name the same story too.
 */
export function sameArticle(a: DedupView, b: DedupView): boolean {
  if (a.url === b.url) return true;
  if (!sameStory(a.key, b.key)) return false;
  const ha = host(a.url);
  if (ha === '' || ha !== host(b.url)) return true;
  if (Math.abs(a.at - b.at) <= SAME_SITE_WINDOW_MS) return true;
  return (
    a.description !== null &&
    b.description !== null &&
    sameStory(titleKey(a.description), titleKey(b.description))
  );
}
