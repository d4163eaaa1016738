import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db.ts';
import type { PubSub } from './cache.ts';
import { stamp } from './cache.ts';
import type { Channel, ChannelMessage } from './keys.ts';

/**
 * Pub/sub over Postgres LISTEN/NOTIFY on the store itself: in embedded mode every marketpipe process
 * reaches the same store (owner or socket client), so an `ingest latest` in one terminal reaches the
 * dashboard served by another. NOTIFY payloads are limited to 8000 bytes: messages stay small.
 */
export class PgPubSub implements PubSub {
  private readonly unsubs: Array<() => Promise<void>> = [];

  constructor(
    private readonly db: Db,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  async publish(channel: Channel, message: Omit<ChannelMessage, 'ts'> & { ts?: string }): Promise<void> {
    await this.db.notify(channel, JSON.stringify(stamp(message)));
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
