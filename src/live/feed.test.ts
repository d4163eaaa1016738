import { describe, expect, it } from 'vitest';
import { CLOSE_GRACE_MS, Feed, MINUTE_MS, type OpenBar } from './feed.ts';

const T = Date.UTC(2024, 0, 2, 10, 0);

function feedWith(trades: Array<[number, number]>): { feed: Feed; closed: OpenBar[] } {
  const feed = new Feed('kraken', 'BTC/USD', 'BTC', true);
  const closed: OpenBar[] = [];
  for (const [price, ts] of trades) {
    feed.add(price, 1, ts, (b) => closed.push({ ...b }));
    feed.lastPrice = price;
  }
  return { feed, closed };
}

describe('Feed bars', () => {
  it('closes a minute on the first trade of a later one and fills a silent minute flat at the last close', () => {
    const { closed } = feedWith([
      [10, T + 1000],
      [12, T + 2000],
      [9, T + 3000],
      [11, T + 59_999],
      [20, T + 2 * MINUTE_MS + 5],
    ]);
    expect(closed).toEqual([
      { ts: T, open: 10, high: 12, low: 9, close: 11, volume: 4, trades: 4 },
      { ts: T + MINUTE_MS, open: 11, high: 11, low: 11, close: 11, volume: 0, trades: 0 },
    ]);
  });

  it('closes by timer only once the venue clock is past the minute plus the grace, and ignores late trades', () => {
    const { feed, closed } = feedWith([[10, T + 1000]]);
    feed.tick(T + MINUTE_MS + CLOSE_GRACE_MS - 1, true, (b) => closed.push(b));
    expect(closed).toHaveLength(0);
    feed.tick(T + MINUTE_MS + CLOSE_GRACE_MS, true, (b) => closed.push(b));
    expect(closed.map((b) => b.ts)).toEqual([T]);
    feed.add(99, 1, T + 59_000, (b) => closed.push(b));
    expect(feed.minute).toBeUndefined();
  });

  it('a disconnect drops the forming minute and asks REST for it', () => {
    const { feed } = feedWith([[10, T + 1000]]);
    feed.disconnected();
    expect(feed.minute).toBeUndefined();
    expect(feed.repair).toEqual({ from: T, to: undefined, attempts: 0 });
    feed.add(11, 1, T + 3 * MINUTE_MS, () => undefined);
    expect(feed.repair?.to).toBe(T + 3 * MINUTE_MS);
  });
});
