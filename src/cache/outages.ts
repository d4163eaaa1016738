import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Channel } from './keys.ts';

/**
 * Publish failures since the process started, by channel (`marketpipe_publish_failures_total{channel}`).
 * A process-wide tally, as Prometheus counters are: every pub/sub of the process adds to it.
 */
const publishFailures = new Map<string, number>();

/** Publish failures so far, by channel. */
export function publishFailureCounts(): ReadonlyMap<string, number> {
  return publishFailures;
}

export interface PublishGuardOptions {
  /** What is down, in the log line ("redis", "store"). */
  what: string;
  /** After a failure, publishes are dropped (and counted) for this long before one is tried again. @defaultValue 2000 ms */
  cooldownMs?: number;
  log?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
}

/**
 * Publishing happens after the data it announces is stored, so a failed publish must not fail the command
 * or request that stored it: the store stays the truth and readers catch up from it. The guard drops the
 * message, counts it, logs one warning per outage (not one per message) and one line on recovery; while
 * the outage lasts, messages are dropped without waiting on the broker for `cooldownMs` at a time.
 */
export class PublishGuard {
  private down = false;
  private openUntil = 0;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PublishGuardOptions) {
    this.cooldownMs = options.cooldownMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** Runs `send`; never rejects. Returns whether the message went out. */
  async publish(channel: Channel | string, send: () => Promise<unknown>): Promise<boolean> {
    if (this.down && this.now() < this.openUntil) {
      count(channel);
      return false;
    }
    try {
      await send();
      if (this.down) {
        this.down = false;
        this.options.log?.info(`${this.options.what} is back; publishing again`);
      }
      return true;
    } catch (err) {
      count(channel);
      if (!this.down)
        this.options.log?.warn(
          { err: describeError(err), channel },
          `${this.options.what} unavailable: messages are dropped until it is back (the data is stored)`,
        );
      this.down = true;
      this.openUntil = this.now() + this.cooldownMs;
      return false;
    }
  }
}

function count(channel: string): void {
  publishFailures.set(channel, (publishFailures.get(channel) ?? 0) + 1);
}
