/**
 * DefiLlama's coin prices (coins.llama.fi) as a further stablecoin price source: point prices with source
 * `defillama`, through the same quality gate as `ingest latest` (bounds, peg, outliers against stored
 * prices; refused ones quarantined) into `market_data.prices`.
 */
import type { PricePoint } from '../../core/types.ts';
import { storedPriceContext } from '../../quality/context.ts';
import { checkPrices } from '../../quality/gate.ts';
import { quarantineRows } from '../../quality/quarantine.ts';
import { loadThresholds } from '../../quality/thresholds-config.ts';
import { type LlamaPrice, llamaKey } from '../../sources/defillama/mapping.ts';
import type { Db } from '../../store/db.ts';
import type { InstrumentRow } from '../../store/repos/instruments.ts';
import { upsertPrices } from '../../store/repos/prices.ts';

const SOURCE = 'defillama';

/** What the price step needs from the DefiLlama client. */
export interface LlamaPriceClient {
  prices(keys: readonly string[], signal?: AbortSignal): Promise<LlamaPrice[]>;
}

export interface LlamaPriceResult {
  read: number;
  stored: number;
  quarantined: number;
}

/** Fetches the current price of each instrument DefiLlama has a key for and stores it through the gate. */
export async function runLlamaPrices(
  db: Db,
  client: LlamaPriceClient,
  instruments: readonly InstrumentRow[],
  now = Date.now(),
): Promise<LlamaPriceResult> {
  const byKey = new Map<string, InstrumentRow>();
  for (const i of instruments) {
    const key = llamaKey(i.sources);
    if (key) byKey.set(key, i);
  }
  const result: LlamaPriceResult = { read: 0, stored: 0, quarantined: 0 };
  if (byKey.size === 0) return result;
  const prices = await client.prices([...byKey.keys()]);
  const thresholds = await loadThresholds(db);
  for (const p of prices) {
    const inst = byKey.get(p.key);
    if (!inst) continue;
    result.read++;
    const points: PricePoint[] = [{ symbol: inst.symbol, ts: p.ts, price: p.price, source: SOURCE }];
    const instrument = {
      symbol: inst.symbol,
      assetClass: inst.assetClass,
      pegTarget: inst.pegTarget ?? null,
    };
    const stored = await storedPriceContext(db, inst.symbol, points, thresholds);
    const gate = checkPrices(points, { instrument, mode: 'incremental', now, thresholds, stored });
    if (gate.rejected.length) result.quarantined += await quarantineRows(db, gate.rejected, SOURCE);
    result.stored += (await upsertPrices(db, gate.accepted)).stored;
  }
  return result;
}
