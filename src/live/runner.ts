/**
 * The stream runner: venue connections → trades → per-venue bars (stored once closed) and composite prices
 * (cache + `price_updates`, throttled per symbol; every change to the listeners). Gaps — a reconnect, a
 * trade-id jump, a heartbeat ahead of the trades seen, a subscription taken over from another process — are
 * refetched from the venue's REST candles and stored over the partial minutes.
 */
import type { Cache, PubSub } from '../cache/cache.ts';
import { CACHE_TTL_SECONDS, cacheKeys } from '../cache/keys.ts';
import type { Logger } from '../core/log.ts';
import type { Instrument } from '../core/types.ts';
import type { Source } from '../sources/types.ts';
import type { Db } from '../store/db.ts';
import { upsertBars } from '../store/repos/bars.ts';
import { lastVenueBarTs, upsertVenueBars, type VenueBar } from '../store/repos/venue-bars.ts';
import { type CompositeValue, compositeOf, type VenuePrice } from './composite.ts';
import { VenueConnection } from './connection.ts';
import { CLOSE_GRACE_MS, Feed, MINUTE_MS, type OpenBar } from './feed.ts';
import type { TradeSink, Venue, VenueProtocol } from './protocol.ts';
import type { CompositeListener } from './types.ts';

/** One (venue, symbol) to stream. */
export interface StreamTarget {
  symbol: string;
  venue: Venue;
  venueSymbol: string;
  /** This venue's bars also go to market_data.bars (one venue per instrument, or they would overwrite). */
  primary: boolean;
}

export interface StreamDeps {
  db: Db;
  cache?: Cache;
  pubsub?: PubSub;
  listeners?: readonly CompositeListener[];
  protocols: Readonly<Record<Venue, VenueProtocol>>;
  wsUrls: Readonly<Record<Venue, string>>;
  /** REST candle sources per venue, for gap repair. */
  rest: Readonly<Partial<Record<Venue, Source>>>;
  /** The instruments streamed, by symbol (REST sources need their mapping). */
  instruments: ReadonlyMap<string, Instrument>;
  /** Seeded uniform [0, 1) source for reconnect jitter. */
  random: () => number;
  log?: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
  /** Alerts raised meanwhile (the alerts listener's count) for the summary. */
  alertCount?: () => number;
}

export interface StreamOptions {
  /** Least time between two cache/`price_updates` writes of one symbol (ms). @defaultValue 250 */
  publishEveryMs?: number;
  /** How often closed bars are written and repairs run (ms). @defaultValue 1000 */
  flushEveryMs?: number;
  /** Reconnect backoff caps (ms). @defaultValue 500 / 30000 */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Overrides each protocol's silence timeout (ms). */
  staleMs?: number;
}

export interface StreamSummary {
  messages: number;
  trades: number;
  bars_stored: number;
  reconnects: number;
  gaps_repaired: number;
  /** Repairs that could not be done (venue horizon passed, REST failing): minutes stay missing, said here. */
  gaps_unrepaired: number;
  alerts: number;
  duration_ms: number;
  venues: Array<{ venue: Venue; connected: boolean; messages: number; last_message_at: string | null }>;
}

/** REST refetches of a range tried at most this often before it is reported as unrepaired. */
const MAX_REPAIR_ATTEMPTS = 5;

interface SymbolState {
  prices: Map<string, VenuePrice>;
  composite: CompositeValue | undefined;
  lastPublish: number;
  timer: NodeJS.Timeout | undefined;
}

export class StreamRunner {
  private readonly connections = new Map<Venue, VenueConnection>();
  /** venue → venue symbol → feed. */
  private readonly feeds = new Map<Venue, Map<string, Feed>>();
  private readonly symbols = new Map<string, SymbolState>();
  private pendingBars: Array<{ bar: OpenBar; feed: Feed; origin: 'stream' | 'rest' }> = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private readonly now: () => number;
  private readonly stats = { trades: 0, bars_stored: 0, gaps_repaired: 0, gaps_unrepaired: 0 };
  private readonly publishEveryMs: number;

  constructor(
    private readonly deps: StreamDeps,
    private readonly options: StreamOptions = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.publishEveryMs = options.publishEveryMs ?? 250;
  }

  /** Opens the venue connections needed by `targets` (more can be added later). */
  start(targets: readonly StreamTarget[] = []): void {
    this.startedAt = this.now();
    this.flushTimer = setInterval(() => this.flushSoon(), this.options.flushEveryMs ?? 1000);
    this.flushTimer.unref();
    this.add(targets);
  }

  /** Subscribes more (venue, symbol) pairs; each is checked against its last stored bar for a hole. */
  add(targets: readonly StreamTarget[]): void {
    const byVenue = new Map<Venue, string[]>();
    for (const t of targets) {
      let feeds = this.feeds.get(t.venue);
      if (!feeds) {
        feeds = new Map();
        this.feeds.set(t.venue, feeds);
      }
      if (feeds.has(t.venueSymbol)) continue;
      const feed = new Feed(t.venue, t.venueSymbol, t.symbol, t.primary);
      feeds.set(t.venueSymbol, feed);
      void this.checkStored(feed);
      const list = byVenue.get(t.venue) ?? [];
      list.push(t.venueSymbol);
      byVenue.set(t.venue, list);
    }
    for (const [venue, symbols] of byVenue) this.connection(venue).add(symbols);
  }

  /** Unsubscribes pairs (a lease given up); their forming bars are dropped, not written half. */
  remove(targets: readonly StreamTarget[]): void {
    for (const t of targets) {
      const feeds = this.feeds.get(t.venue);
      if (feeds?.delete(t.venueSymbol)) this.connections.get(t.venue)?.remove([t.venueSymbol]);
      this.symbols.get(t.symbol)?.prices.delete(t.venue);
    }
  }

  /** The venues' connections (tests drop them to simulate a network failure). */
  connectionOf(venue: Venue): VenueConnection | undefined {
    return this.connections.get(venue);
  }

  /** The latest composite of `symbol`, if any venue has traded it. */
  composite(symbol: string): CompositeValue | undefined {
    return this.symbols.get(symbol)?.composite;
  }

  /** One-second bars of a feed kept in memory (oldest first, the forming one last). */
  secondBars(venue: Venue, venueSymbol: string): OpenBar[] {
    const feed = this.feeds.get(venue)?.get(venueSymbol);
    if (!feed) return [];
    return feed.second ? [...feed.seconds, feed.second] : [...feed.seconds];
  }

  /** Counters so far; `connected` per venue is as of `wasConnected` when given (the moment before stopping). */
  summary(wasConnected?: ReadonlyMap<Venue, boolean>): StreamSummary {
    let messages = 0;
    let reconnects = 0;
    const venues: StreamSummary['venues'] = [];
    for (const c of this.connections.values()) {
      messages += c.messages;
      reconnects += c.reconnects;
      venues.push({
        venue: c.venue,
        connected: wasConnected?.get(c.venue) ?? c.connected,
        messages: c.messages,
        last_message_at: c.lastMessageAt > 0 ? new Date(c.lastMessageAt).toISOString() : null,
      });
    }
    return {
      messages,
      trades: this.stats.trades,
      bars_stored: this.stats.bars_stored,
      reconnects,
      gaps_repaired: this.stats.gaps_repaired,
      gaps_unrepaired: this.stats.gaps_unrepaired,
      alerts: this.deps.alertCount?.() ?? 0,
      duration_ms: this.now() - this.startedAt,
      venues,
    };
  }

  /** Waits until every closed bar and due repair is written (tests, shutdown). */
  async flush(): Promise<void> {
    this.flushSoon();
    await this.flushing;
  }

  async stop(): Promise<StreamSummary> {
    clearInterval(this.flushTimer);
    const wasConnected = new Map([...this.connections].map(([v, c]) => [v, c.connected] as const));
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
    for (const s of this.symbols.values()) clearTimeout(s.timer);
    await this.flush();
    for (const l of this.deps.listeners ?? []) await l.close?.();
    return this.summary(wasConnected);
  }

  private connection(venue: Venue): VenueConnection {
    let c = this.connections.get(venue);
    if (c) return c;
    const feeds = this.feeds.get(venue) ?? new Map<string, Feed>();
    this.feeds.set(venue, feeds);
    const protocol = this.deps.protocols[venue];
    const sink = this.sinkFor(feeds);
    c = new VenueConnection({
      protocol,
      baseUrl: this.deps.wsUrls[venue],
      random: this.deps.random,
      backoffInitialMs: this.options.backoffInitialMs,
      backoffMaxMs: this.options.backoffMaxMs,
      staleMs: this.options.staleMs,
      now: this.now,
      onMessage: (text) => {
        try {
          protocol.parse(text, sink);
        } catch (err) {
          this.deps.log?.warn(`stream: ${venue} sent a frame we cannot read (${(err as Error).message})`);
        }
      },
      onOpen: (reconnect) => {
        if (reconnect) this.deps.log?.info(`stream: ${venue} reconnected; repairing the gap from REST`);
      },
      onDown: (why) => {
        this.deps.log?.warn(`stream: ${venue} connection lost (${why}); reconnecting`);
        for (const feed of feeds.values()) feed.disconnected();
      },
    });
    this.connections.set(venue, c);
    c.start();
    return c;
  }

  /** The hot path: one call per trade, no allocation beyond a bar per new minute. */
  private sinkFor(feeds: Map<string, Feed>): TradeSink {
    const closed = (feed: Feed) => (bar: OpenBar) => this.pendingBars.push({ bar, feed, origin: 'stream' });
    const closers = new Map<Feed, (bar: OpenBar) => void>();
    return {
      trade: (venueSymbol, price, qty, ts, tradeId) => {
        const feed = feeds.get(venueSymbol);
        if (feed === undefined || !Number.isFinite(ts)) return;
        if (feed.lastTradeId > 0) {
          if (tradeId <= feed.lastTradeId) return; // a duplicate (resubscribe snapshot, make-before-break)
          if (tradeId > feed.lastTradeId + 1)
            feed.needRepair(feed.lastTs - (feed.lastTs % MINUTE_MS), ts - (ts % MINUTE_MS));
        }
        feed.lastTradeId = tradeId;
        feed.lastTs = ts;
        feed.offset = this.now() - ts;
        this.stats.trades++;
        let close = closers.get(feed);
        if (close === undefined) {
          close = closed(feed);
          closers.set(feed, close);
        }
        feed.add(price, qty, ts, close);
        feed.lastPrice = price;
        this.onPrice(feed, price, ts);
      },
      heartbeat: (venueSymbol, lastTradeId) => {
        if (venueSymbol === undefined || lastTradeId <= 0) return;
        const feed = feeds.get(venueSymbol);
        // A heartbeat ahead of the trades seen: matches were dropped (Coinbase warns they can be).
        if (
          feed &&
          feed.lastTradeId > 0 &&
          lastTradeId > feed.lastTradeId &&
          feed.heartbeatGap < lastTradeId
        ) {
          feed.heartbeatGap = lastTradeId;
          const venueNow = this.now() - feed.offset;
          feed.needRepair(feed.lastTs - (feed.lastTs % MINUTE_MS), venueNow - (venueNow % MINUTE_MS));
        }
      },
    };
  }

  private onPrice(feed: Feed, price: number, ts: number): void {
    const usd = this.toUsd(feed, price);
    if (usd === undefined) return;
    let s = this.symbols.get(feed.symbol);
    if (!s) {
      s = { prices: new Map(), composite: undefined, lastPublish: 0, timer: undefined };
      this.symbols.set(feed.symbol, s);
    }
    const entry = s.prices.get(feed.venue);
    if (entry) {
      entry.price = usd;
      entry.ts = ts;
    } else s.prices.set(feed.venue, { price: usd, ts });
    const current = s.composite;
    // One venue for the symbol (the common case per process under leases): the composite is its price.
    if (
      s.prices.size === 1 &&
      current !== undefined &&
      current.venues.length === 1 &&
      current.venues[0] === feed.venue
    ) {
      current.ts = ts;
      if (current.price === usd) return;
      current.price = usd;
    } else {
      const next = compositeOf(s.prices, current?.price);
      if (next === undefined) return;
      s.composite = next;
      if (current !== undefined && next.price === current.price) return;
    }
    const next = s.composite;
    if (next === undefined) return;
    const tick = { symbol: feed.symbol, price: next.price, ts: next.ts, venues: next.venues };
    for (const l of this.deps.listeners ?? []) l.onComposite(tick);
    this.publishThrottled(feed.symbol, s);
  }

  /**
   * A venue price in USD. USDT- or USDC-quoted pairs (Binance) are converted through the stream's own
   * composite of the quote coin; without one they count only for crypto (where a stablecoin's ≤ 1 %
   * wobble is noise), never for a stablecoin, whose peg they would otherwise measure against itself.
   */
  private toUsd(feed: Feed, price: number): number | undefined {
    const quote = this.deps.protocols[feed.venue].quote(feed.venueSymbol);
    if (quote === 'USD') return price;
    const rate = this.symbols.get(quote)?.composite?.price;
    if (rate !== undefined) return price * rate;
    return this.deps.instruments.get(feed.symbol)?.assetClass === 'stablecoin' ? undefined : price;
  }

  /** At most one write per `publishEveryMs` per symbol, trailing edge: the last price always goes out. */
  private publishThrottled(symbol: string, s: SymbolState): void {
    if (s.timer !== undefined) return;
    const wait = s.lastPublish + this.publishEveryMs - this.now();
    if (wait <= 0) {
      this.publish(symbol, s);
      return;
    }
    s.timer = setTimeout(() => {
      s.timer = undefined;
      this.publish(symbol, s);
    }, wait);
    s.timer.unref();
  }

  private publish(symbol: string, s: SymbolState): void {
    const c = s.composite;
    if (c === undefined) return;
    s.lastPublish = this.now();
    const price = {
      symbol,
      price: c.price,
      ts: new Date(c.ts).toISOString(),
      source: 'stream',
      venues: c.venues,
    };
    // Cache first, then publish: a subscriber reading the cache on the message sees this price.
    const write = async () => {
      await this.deps.cache?.set(cacheKeys.latestPrice(symbol), price, CACHE_TTL_SECONDS.latestPrice);
      await this.deps.pubsub?.publish('price_updates', { type: 'price', ...price });
    };
    write().catch((err: unknown) =>
      this.deps.log?.warn(`stream: publishing ${symbol} failed (${(err as Error).message})`),
    );
  }

  /** A subscription whose venue bars stop before the current minute: refetch from the last one on. */
  private async checkStored(feed: Feed): Promise<void> {
    try {
      const last = await lastVenueBarTs(this.deps.db, feed.symbol, feed.venue);
      if (last !== undefined && feed.minute === undefined) feed.needRepair(last + MINUTE_MS, undefined);
    } catch (err) {
      this.deps.log?.warn(
        `stream: cannot read the last ${feed.venue} bar of ${feed.symbol} (${(err as Error).message})`,
      );
    }
  }

  private flushSoon(): void {
    this.flushing = this.flushing
      .then(() => this.flushOnce())
      .catch((err: unknown) => {
        this.deps.log?.warn(`stream: writing bars failed (${(err as Error).message}); retrying`);
      });
  }

  private async flushOnce(): Promise<void> {
    const now = this.now();
    for (const [venue, feeds] of this.feeds) {
      const connected = this.connections.get(venue)?.connected ?? false;
      for (const feed of feeds.values()) {
        if (feed.lastTs === 0) continue;
        feed.tick(now - feed.offset, connected, (bar) =>
          this.pendingBars.push({ bar, feed, origin: 'stream' }),
        );
      }
    }
    const batch = this.pendingBars;
    this.pendingBars = [];
    await this.store(batch);
    for (const feeds of this.feeds.values())
      for (const feed of feeds.values()) if (this.repairDue(feed, now)) await this.repair(feed);
  }

  private async store(
    batch: ReadonlyArray<{ bar: OpenBar; feed: Feed; origin: 'stream' | 'rest' }>,
  ): Promise<void> {
    if (batch.length === 0) return;
    const rows: VenueBar[] = batch.map(({ bar, feed, origin }) => ({
      symbol: feed.symbol,
      venue: feed.venue,
      ts: bar.ts,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      trades: origin === 'stream' ? bar.trades : undefined,
      origin,
    }));
    this.stats.bars_stored += await upsertVenueBars(this.deps.db, rows);
    const primary = batch.filter((b) => b.feed.primary);
    if (primary.length > 0) {
      await upsertBars(
        this.deps.db,
        primary.map(({ bar, feed }) => ({
          symbol: feed.symbol,
          interval: '1m' as const,
          ts: bar.ts,
          open: bar.open,
          high: bar.high,
          low: bar.low,
          close: bar.close,
          volume: bar.volume,
          source: feed.venue,
        })),
      );
    }
  }

  /** The last minute of the range has closed on the venue's clock (its partial stream bar is written). */
  private repairDue(feed: Feed, now: number): boolean {
    const r = feed.repair;
    if (r === undefined || r.to === undefined) return false;
    if (feed.minute !== undefined && feed.minute.ts <= r.to) return false;
    return now - feed.offset >= r.to + MINUTE_MS + CLOSE_GRACE_MS || (feed.next ?? 0) > r.to;
  }

  private async repair(feed: Feed): Promise<void> {
    const r = feed.repair;
    if (r === undefined || r.to === undefined) return;
    const source = this.deps.rest[feed.venue];
    const instrument = this.deps.instruments.get(feed.symbol);
    if (source === undefined || instrument === undefined) {
      feed.repair = undefined;
      this.stats.gaps_unrepaired++;
      return;
    }
    const from = r.from;
    const to = r.to;
    if (to < from) {
      feed.repair = undefined;
      return;
    }
    const range = { from, to: to + MINUTE_MS };
    try {
      const fetched: OpenBar[] = [];
      for await (const page of source.fetchBars(instrument, '1m', range))
        for (const b of page) fetched.push({ ...b, trades: 0 });
      // Minutes the venue omits (Coinbase: no trades) become flat bars at the previous close.
      const byTs = new Map(fetched.map((b) => [b.ts, b]));
      const rows: OpenBar[] = [];
      let prev: number | undefined = fetched[0]?.open;
      for (let t = range.from; t < range.to; t += MINUTE_MS) {
        const b = byTs.get(t);
        if (b) {
          rows.push(b);
          prev = b.close;
        } else if (prev !== undefined)
          rows.push({ ts: t, open: prev, high: prev, low: prev, close: prev, volume: 0, trades: 0 });
      }
      // A gap found while fetching was merged into `r`: keep what lies past this fetch for the next round.
      if (r.to === to && r.from >= from) feed.repair = undefined;
      else r.from = Math.max(r.from, to + MINUTE_MS);
      await this.store(rows.map((bar) => ({ bar, feed, origin: 'rest' as const })));
      if (rows.length < (range.to - range.from) / MINUTE_MS) this.stats.gaps_unrepaired++;
      else this.stats.gaps_repaired++;
    } catch (err) {
      r.attempts++;
      this.deps.log?.warn(
        `stream: REST repair of ${feed.symbol} on ${feed.venue} failed (${(err as Error).message})`,
      );
      if (r.attempts >= MAX_REPAIR_ATTEMPTS) {
        feed.repair = undefined;
        this.stats.gaps_unrepaired++;
      }
    }
  }
}
