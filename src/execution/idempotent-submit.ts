/**
 * The idempotent submit every external broker runs: send the order; when the send gets no answer the venue
 * may hold it anyway, so wait, look the order up by its client order id and only send again when the venue
 * does not have it. A rejection that turns out to be the order already there (a duplicate client order id)
 * is that order. After `attempts` unanswered sends the order is left to reconciliation.
 */
import type { Logger } from '../core/log.ts';
import type { BrokerOrder, SubmitOrder } from './broker.ts';
import type { OrderPoller } from './order-poller.ts';
import { VenueUnavailableError } from './venue-errors.ts';

/** What a failed send means. */
type SendFailure =
  /** Nothing (or a partial answer) came back: the order may be at the venue (message: log-safe). */
  | { kind: 'no_answer'; message: string }
  /** The venue refused the order (reason: the venue's words). */
  | { kind: 'rejected'; reason: string }
  /** Anything else: thrown as the broker's error. */
  | { kind: 'other' };

/** How one broker sends, finds and judges an order. */
export interface SubmitVenue {
  /** Broker name, for logs and messages. */
  broker: string;
  /** Sends the order once; the order as the venue accepted it. */
  send(): Promise<BrokerOrder>;
  /** The venue's order with this client order id, or null when it has none. */
  lookup(): Promise<BrokerOrder | null>;
  classify(err: unknown): SendFailure;
  /** The broker's error for a failed send of kind `other`. */
  fail(err: unknown): Error;
  /** A log-safe message of a failed look-up. */
  safe(err: unknown): string;
  /** Placed orders are tracked, found ones watched, for their updates. */
  poller: Pick<OrderPoller, 'track' | 'watch'>;
  /**
   * Whether a rejection of the first send is looked up too (a venue whose duplicate answer may concern an
   * order an earlier process sent). @defaultValue false (only rejections of a retry)
   */
  lookUpFirstRejection?: boolean;
}

/** The retry settings, as the brokers' options carry them. */
export interface SubmitSettings {
  /** Attempts of one submit (each after the first starts by looking the order up). @defaultValue 3 */
  submitAttempts?: number;
  /** Wait before looking up an order whose send got no answer (ms). @defaultValue 500 */
  retryDelayMs?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** The order as refused by the venue, for the caller to record. */
function rejectedOrder(order: SubmitOrder, reason: string): BrokerOrder {
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    qty: order.qty,
    limitPrice: order.price,
    status: 'rejected',
    filledQty: 0,
    avgPrice: Number.NaN,
    reason,
    updatedAt: Date.now(),
  };
}

export async function submitIdempotently(
  order: SubmitOrder,
  venue: SubmitVenue,
  settings: SubmitSettings,
): Promise<BrokerOrder> {
  const { broker, poller } = venue;
  const { log } = settings;
  const clientOrderId = order.clientOrderId;
  const attempts = Math.max(1, settings.submitAttempts ?? 3);
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      // The previous send got no answer: the venue may hold the order. Look before sending again.
      await new Promise((r) => setTimeout(r, settings.retryDelayMs ?? 500));
      try {
        const found = await venue.lookup();
        if (found) {
          log?.info(
            { broker, clientOrderId, attempt },
            'order found at the venue after an unanswered submit',
          );
          poller.watch(found);
          return found;
        }
      } catch (err) {
        last = venue.safe(err);
        log?.warn({ broker, clientOrderId, attempt, err: last }, 'order look-up failed');
        continue;
      }
    }
    try {
      const placed = await venue.send();
      poller.track(placed);
      return placed;
    } catch (err) {
      const f = venue.classify(err);
      if (f.kind === 'no_answer') {
        last = f.message;
        log?.warn({ broker, clientOrderId, attempt, err: last }, 'submit got no answer');
        continue;
      }
      if (f.kind === 'rejected') {
        // A duplicate client order id is the order the venue already has.
        const existing =
          attempt > 1 || venue.lookUpFirstRejection ? await venue.lookup().catch(() => null) : null;
        if (existing) {
          poller.watch(existing);
          return existing;
        }
        log?.info({ broker, clientOrderId, reason: f.reason }, 'order rejected');
        return rejectedOrder(order, f.reason);
      }
      throw venue.fail(err);
    }
  }
  throw new VenueUnavailableError(
    `${broker}: order ${clientOrderId} unconfirmed after ${attempts} attempts (${last}); reconcile will settle it`,
  );
}
