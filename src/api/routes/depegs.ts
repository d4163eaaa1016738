import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { DAY_MS, parseTime, toIso } from '../../core/time.ts';
import { INTERVALS, type Interval } from '../../core/types.ts';
import type { Queryable } from '../../store/db.ts';
import { readBars } from '../../store/repos/bars.ts';
import { readDepegEvents, readDepegStatistics } from '../../store/repos/derived.ts';
import { getInstrument } from '../../store/repos/instruments.ts';
import { readPrices } from '../../store/repos/prices.ts';
import { useApiKeys } from '../api-keys.ts';
import { depegRoutes as contract, type DepegWindow } from '../contract/depegs.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Most bars one window answer holds (a week of minute bars is ~10k; the chart needs far fewer). */
const MAX_WINDOW_BARS = 5000;
const MAX_WINDOW_SPAN_MS = 366 * DAY_MS;
/** Context shown each side of an event: its own length, at least a day, at most a week. */
const padOf = (from: number, to: number) => Math.min(7 * DAY_MS, Math.max(DAY_MS, to - from));

/**
 * Prices around one depeg event at the resolution it was detected on. The detector (analytics/service.ts
 * pegSeries) judges the LOWS of the finest stored interval plus the point prices, so the finest interval
 * with bars inside the event is the one it used, and the lowest low or price of the window is the event's
 * minimum — the chart and the table cannot disagree.
 */
async function depegWindow(db: Queryable, asset: string, start: number, end: number): Promise<DepegWindow> {
  const inst = await getInstrument(db, asset);
  if (!inst) throw new NotFoundError(`unknown instrument "${asset}"`);
  const pad = padOf(start, end);
  const range = { from: start - pad, to: end + pad };
  let interval: Interval | null = null;
  let bars: DepegWindow['bars'] = [];
  for (const iv of INTERVALS) {
    const inside = await readBars(db, asset, iv, { from: start, to: end + 1 });
    if (inside.length === 0) continue;
    interval = iv;
    const all = await readBars(db, asset, iv, range);
    // Keep the bars nearest the event when the window is too long for one chart.
    const step = Math.max(1, Math.ceil(all.length / MAX_WINDOW_BARS));
    const kept = step === 1 ? all : all.filter((b, i) => i % step === 0 || (b.ts >= start && b.ts <= end));
    bars = kept.map((b) => ({ ts: toIso(b.ts), open: b.open, high: b.high, low: b.low, close: b.close }));
    break;
  }
  const prices = (await readPrices(db, asset, range)).map((p) => ({ ts: toIso(p.ts), price: p.price }));
  return {
    asset,
    peg: inst.pegTarget ?? 1,
    interval,
    event_start: toIso(start),
    event_end: toIso(end),
    from: toIso(range.from),
    to: toIso(range.to),
    bars,
    prices,
  };
}

/** Stablecoin depeg events (price below peg by more than the threshold) and per-asset statistics. */
export const depegRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/depegs', { schema: contract.list }, async (req) => {
    const since = req.query.since === undefined ? undefined : parseTime(req.query.since, 'since');
    return { events: await readDepegEvents(reader, { asset: req.query.asset, since }) };
  });

  app.get('/api/depegs/window', { schema: contract.window }, async (req) => {
    const start = parseTime(req.query.start, 'start');
    // An event still under way runs to now (its chart shows at most 366 days of it).
    const end =
      req.query.end === undefined
        ? Math.min(Date.now(), start + MAX_WINDOW_SPAN_MS)
        : parseTime(req.query.end, 'end');
    if (end < start) throw new ValidationError(`end (${req.query.end}) is before start (${req.query.start})`);
    if (end - start > MAX_WINDOW_SPAN_MS) throw new ValidationError('a depeg window spans at most 366 days');
    return depegWindow(reader, req.query.asset.toUpperCase(), start, end);
  });

  app.get('/api/depegs/stats', { schema: contract.stats }, async () => ({
    assets: await readDepegStatistics(reader),
  }));
};
