/**
 * A non-price feed (economic series, news, corporate and economic events) beside the price `Source`
 * (sources/source.ts): one load of its provider's records into the store, with a run summary.
 */

import type { PubSub } from '../../cache/index.ts';
import type { ConfigStore } from '../../config/store.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Settings } from '../../settings.ts';
import type { Db } from '../../store/db.ts';
import type { ProviderClients } from '../sources.ts';
import type { FeedKind } from '../watermarks.ts';
import type { RecordLoadSummary } from './load-summary.ts';

/** The clients the feeds ask (the runtime's: one per provider, so one rate-limit budget each). */
export type FeedClients = Pick<
  ProviderClients,
  'fred' | 'newsapi' | 'alphavantage' | 'polygonReference' | 'defillama'
>;

/** What a feed runs with; `clients` is asked only when a provider is called (not for the offline samples). */
export interface FeedDeps {
  db: Db;
  settings: Settings;
  clients: () => Promise<FeedClients>;
  /** Where a feed publishes its alerts (supply drops), when given. */
  pubsub?: PubSub;
  /** The process's config parameters (alert thresholds), when the feed reads any. */
  config?: Pick<ConfigStore, 'getFloat'>;
}

export interface Feed<Options> {
  readonly name: FeedKind;
  ingest(deps: FeedDeps, opts?: Options): Promise<RecordLoadSummary>;
}

/** The clients of a feed run: given ones, else a ConfigError (a feed never builds its own). */
export async function feedClients(clients: (() => Promise<FeedClients>) | undefined): Promise<FeedClients> {
  if (!clients) throw new ConfigError('no provider clients were given to this feed run');
  return clients();
}
