/** The watchlist lives in the browser (localStorage), so each user keeps their own without an account. */

const KEY = 'marketpipe.watchlist';
const DEFAULT_WATCHLIST = ['BTC', 'ETH', 'USDC', 'SPY', 'EUR_USD'];

export function loadWatchlist(): string[] {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return [...DEFAULT_WATCHLIST];
    const v = JSON.parse(raw) as unknown;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  } catch {
    // Unreadable storage: start from the default list.
  }
  return [...DEFAULT_WATCHLIST];
}

export function saveWatchlist(symbols: readonly string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(symbols));
  } catch {
    // Private mode or full storage: the list lasts for this page only.
  }
}

/** Normalises a typed symbol the way the product spells symbols: upper case, `EUR/USD` → `EUR_USD`. */
export function normaliseSymbol(input: string): string {
  return input.trim().toUpperCase().replace(/[/-]/g, '_');
}
