import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db.ts';
import type { PubSub } from './cache.ts';
import { stamp } from './cache.ts';
import type { Channel, ChannelMessage } from './keys.ts';
import { PublishGuard } from './outages.ts';

/**
 * Pub/sub over Postgres LISTEN/NOTIFY on the store itself: in embedded mode every marketpipe process
 * reaches the same store (owner or socket client), so an `ingest latest` in one terminal reaches the
 * dashboard served by another. NOTIFY payloads are limited to 8000 bytes: messages stay small.
 */
export class PgPubSub implements PubSub {
  private readonly unsubs: Array<() => Promise<void>> = [];
  private readonly guard: PublishGuard;

  constructor(
    private readonly db: Db,
    private readonly log?: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.guard = new PublishGuard({ what: 'store notifications', log });
  }

  /** Never rejects: a failed NOTIFY drops the message (counted, logged once per outage; see PublishGuard). */
  async publish(channel: Channel, message: Omit<ChannelMessage, 'ts'> & { ts?: string }): Promise<void> {
    const text = JSON.stringify(stamp(message));
    await this.guard.publish(channel, () => this.db.notify(channel, text));
  }

  async subscribe(channel: Channel, handler: (m: ChannelMessage) => void): Promise<() => Promise<void>> {
    const off = await this.db.listen(channel, (payload) => {
      try {
        handler(JSON.parse(payload) as ChannelMessage);
      } catch {
        this.log?.warn(`ignored a non-JSON message on ${channel}`);
      }
    });
    this.unsubs.push(off);
    return off;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.unsubs.map((off) => off()));
  }
}
