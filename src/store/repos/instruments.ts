import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { type AssetClass, type Instrument, isAssetClass } from '../../core/types.ts';
import type { Queryable } from '../db.ts';
import { inTransaction } from './tx.ts';

/** An instrument as stored: with its id and whether ingestion still runs for it. */
export interface InstrumentRow extends Instrument {
  id: number;
  active: boolean;
  inactiveReason: string | null;
}

interface InstrumentDbRow {
  id: number;
  symbol: string;
  asset_class: AssetClass;
  name: string;
  currency: string;
  exchange: string | null;
  timezone: string;
  peg_target: number | null;
  active: boolean;
  inactive_reason: string | null;
  sources: Record<string, string> | string | null;
}

const SELECT_INSTRUMENTS = `
  SELECT i.id, i.symbol, i.asset_class, i.name, i.currency, i.exchange, i.timezone, i.peg_target,
         i.active, i.inactive_reason,
         COALESCE((SELECT jsonb_object_agg(s.provider, s.provider_symbol ORDER BY s.provider)
                     FROM market_data.source_symbols s WHERE s.instrument_id = i.id), '{}'::jsonb) AS sources
    FROM market_data.instruments i`;

function toRow(r: InstrumentDbRow): InstrumentRow {
  const sources =
    typeof r.sources === 'string' ? (JSON.parse(r.sources) as Record<string, string>) : r.sources;
  return {
    id: Number(r.id),
    symbol: r.symbol,
    assetClass: r.asset_class,
    name: r.name,
    currency: r.currency,
    exchange: r.exchange,
    timezone: r.timezone,
    pegTarget: r.peg_target === null ? null : Number(r.peg_target),
    active: r.active,
    inactiveReason: r.inactive_reason,
    sources: sources ?? {},
  };
}

function validate(list: readonly Instrument[]): void {
  const seen = new Set<string>();
  for (const inst of list) {
    if (typeof inst.symbol !== 'string' || inst.symbol.trim() === '' || inst.symbol !== inst.symbol.trim()) {
      throw new ValidationError(`instrument symbol must be a non-empty string without spaces around it`);
    }
    if (!isAssetClass(inst.assetClass)) {
      throw new ValidationError(
        `instrument ${inst.symbol}: unknown asset class "${String(inst.assetClass)}"`,
      );
    }
    if (seen.has(inst.symbol)) throw new ValidationError(`instrument ${inst.symbol} is listed twice`);
    seen.add(inst.symbol);
  }
}

function sameSources(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}

/**
 * Inserts new instruments and updates changed ones (matched by symbol), in one transaction when `db` can
 * open one. `instrument.sources`, when given, replaces that instrument's provider mappings. `active`, when
 * given, sets the flag; when omitted an existing instrument keeps its flag. `updated` counts instruments whose
 * stored fields or mappings actually changed, so re-running the same list reports `updated: 0`.
 */
export async function upsertInstruments(
  db: Queryable,
  list: readonly Instrument[],
): Promise<{ inserted: number; updated: number }> {
  validate(list);
  if (list.length === 0) return { inserted: 0, updated: 0 };
  return inTransaction(db, async (tx) => {
    const payload = list.map((i) => ({
      symbol: i.symbol,
      asset_class: i.assetClass,
      name: i.name,
      currency: i.currency,
      exchange: i.exchange ?? null,
      timezone: i.timezone,
      peg_target: i.pegTarget ?? null,
      active: i.active ?? null,
    }));
    const res = await tx.query<{ symbol: string; inserted: boolean }>(
      `INSERT INTO market_data.instruments AS t
              (symbol, asset_class, name, currency, exchange, timezone, peg_target, active, inactive_reason)
       SELECT x.symbol, x.asset_class, x.name, x.currency, x.exchange, x.timezone, x.peg_target,
              COALESCE(x.active, true), NULL
         FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, asset_class text, name text, currency text,
              exchange text, timezone text, peg_target float8, active boolean)
       ON CONFLICT (symbol) DO UPDATE SET
              asset_class = EXCLUDED.asset_class, name = EXCLUDED.name, currency = EXCLUDED.currency,
              exchange = EXCLUDED.exchange, timezone = EXCLUDED.timezone, peg_target = EXCLUDED.peg_target,
              active = CASE WHEN $2::text[] @> ARRAY[EXCLUDED.symbol] THEN t.active ELSE EXCLUDED.active END,
              inactive_reason = CASE WHEN $2::text[] @> ARRAY[EXCLUDED.symbol] OR NOT EXCLUDED.active
                                     THEN t.inactive_reason ELSE NULL END,
              updated_at = now()
        WHERE (t.asset_class, t.name, t.currency, t.exchange, t.timezone, t.peg_target,
               CASE WHEN $2::text[] @> ARRAY[EXCLUDED.symbol] THEN t.active ELSE EXCLUDED.active END)
              IS DISTINCT FROM
              (EXCLUDED.asset_class, EXCLUDED.name, EXCLUDED.currency, EXCLUDED.exchange, EXCLUDED.timezone,
               EXCLUDED.peg_target, t.active)
       RETURNING t.symbol, (xmax = 0) AS inserted`,
      [JSON.stringify(payload), list.filter((i) => i.active === undefined).map((i) => i.symbol)],
    );
    const insertedNow = new Set<string>();
    const changed = new Set<string>();
    for (const r of res.rows) {
      if (r.inserted) insertedNow.add(r.symbol);
      else changed.add(r.symbol);
    }
    const withSources = list.filter((i) => i.sources !== undefined);
    if (withSources.length > 0) {
      const current = await listInstruments(tx, { symbols: withSources.map((i) => i.symbol) });
      const bySymbol = new Map(current.map((r) => [r.symbol, r]));
      const rows: Array<[number, string, string]> = [];
      const replace: number[] = [];
      for (const inst of withSources) {
        const row = bySymbol.get(inst.symbol);
        const want = inst.sources ?? {};
        if (!row || sameSources(row.sources ?? {}, want)) continue;
        replace.push(row.id);
        for (const [provider, providerSymbol] of Object.entries(want))
          rows.push([row.id, provider, providerSymbol]);
        if (!insertedNow.has(inst.symbol)) changed.add(inst.symbol);
      }
      if (replace.length > 0) {
        await tx.query('DELETE FROM market_data.source_symbols WHERE instrument_id = ANY($1::int[])', [
          replace,
        ]);
        if (rows.length > 0) {
          await tx.query(
            `INSERT INTO market_data.source_symbols (instrument_id, provider, provider_symbol)
             SELECT x.instrument_id, x.provider, x.provider_symbol
               FROM jsonb_to_recordset($1::jsonb) AS x(instrument_id int, provider text, provider_symbol text)`,
            [
              JSON.stringify(
                rows.map(([id, p, s]) => ({ instrument_id: id, provider: p, provider_symbol: s })),
              ),
            ],
          );
        }
      }
    }
    return { inserted: insertedNow.size, updated: changed.size };
  });
}

export interface InstrumentFilter {
  assetClass?: AssetClass;
  active?: boolean;
  symbols?: readonly string[];
}

/** Instruments ordered by symbol, each with its provider mappings. */
export async function listInstruments(
  db: Queryable,
  filter: InstrumentFilter = {},
): Promise<InstrumentRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.assetClass !== undefined) {
    params.push(filter.assetClass);
    where.push(`i.asset_class = $${params.length}`);
  }
  if (filter.active !== undefined) {
    params.push(filter.active);
    where.push(`i.active = $${params.length}`);
  }
  if (filter.symbols !== undefined) {
    params.push([...filter.symbols]);
    where.push(`i.symbol = ANY($${params.length}::text[])`);
  }
  const sql = `${SELECT_INSTRUMENTS}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.symbol`;
  const res = await db.query<InstrumentDbRow>(sql, params);
  return res.rows.map(toRow);
}

export async function getInstrument(db: Queryable, symbol: string): Promise<InstrumentRow | null> {
  const res = await db.query<InstrumentDbRow>(`${SELECT_INSTRUMENTS} WHERE i.symbol = $1`, [symbol]);
  const row = res.rows[0];
  return row ? toRow(row) : null;
}

export async function requireInstrument(db: Queryable, symbol: string): Promise<InstrumentRow> {
  const row = await getInstrument(db, symbol);
  if (!row) throw new NotFoundError(`unknown instrument "${symbol}" (see marketpipe instruments list)`);
  return row;
}

/** Deletes an instrument with its mappings, bars and prices. Returns false when it did not exist. */
export async function removeInstrument(db: Queryable, symbol: string): Promise<boolean> {
  const res = await db.query('DELETE FROM market_data.instruments WHERE symbol = $1', [symbol]);
  return res.rowCount > 0;
}

/**
 * Switches ingestion for an instrument on or off, keeping its history. `reason` is stored when
 * deactivating (e.g. "delisted") and cleared when reactivating.
 */
export async function setInstrumentActive(
  db: Queryable,
  symbol: string,
  active: boolean,
  reason?: string,
): Promise<void> {
  const res = await db.query(
    `UPDATE market_data.instruments SET active = $2, inactive_reason = $3, updated_at = now() WHERE symbol = $1`,
    [symbol, active, active ? null : (reason ?? null)],
  );
  if (res.rowCount === 0) {
    throw new NotFoundError(`unknown instrument "${symbol}" (see marketpipe instruments list)`);
  }
}
