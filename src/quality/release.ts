/**
 * The default loader for `releaseQuarantine`: re-runs the quality gate on released bars and point prices
 * (grouped by instrument and series, with the stored neighbours as context) and upserts the ones it accepts;
 * records of the economic, news and events loaders go through their own rules and upserts (release-records.ts).
 */
import type { PricePoint, StoredBar } from '../core/types.ts';
import { INTERVAL_MS } from '../core/types.ts';
import type { Db } from '../store/db.ts';
import { readBars, upsertBars } from '../store/repos/bars.ts';
import { getInstrument } from '../store/repos/instruments.ts';
import { readPrices, upsertPrices } from '../store/repos/prices.ts';
import { checkBars, checkPrices, type GateResult } from './gate.ts';
import {
  auditReplaced,
  isBarRow,
  type QuarantinedRow,
  type QuarantineEntry,
  type ReleaseOutcome,
  recordModule,
} from './quarantine.ts';
import { releaseRecords } from './release-records.ts';
import type { QualityThresholds } from './thresholds.ts';

export interface ReleaseLoaderOptions {
  /** UTC ms the rules judge against (freshness, "in the future"). @defaultValue Date.now() */
  now?: number;
  thresholds?: QualityThresholds;
  /** Load without re-validation (a human vouches for the rows). @defaultValue false */
  force?: boolean;
}

/** A bar or point price entry (`recordModule(interval)` is null). */
type PriceEntry = QuarantineEntry & { raw: QuarantinedRow };

export function gateReleaseLoader(db: Db, opts: ReleaseLoaderOptions = {}) {
  return async (all: QuarantineEntry[]): Promise<ReleaseOutcome> => {
    const now = opts.now ?? Date.now();
    const entries: PriceEntry[] = [];
    for (const e of all) if (recordModule(e.interval) === null) entries.push(e as PriceEntry);
    const out = await releaseRecords(
      db,
      all.filter((e) => recordModule(e.interval) !== null),
      { now, force: opts.force },
    );
    const groups = new Map<string, PriceEntry[]>();
    for (const e of entries) {
      const key = `${e.raw.symbol}|${isBarRow(e.raw) ? e.raw.interval : 'point'}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const group of groups.values()) {
      const first = group[0];
      if (!first) continue;
      const inst = await getInstrument(db, first.raw.symbol);
      if (!inst) {
        for (const e of group)
          out.refused.push({
            id: e.id,
            rule: 'unknown_instrument',
            reason: `Unknown instrument ${e.raw.symbol}`,
          });
        continue;
      }
      const instrument = {
        symbol: inst.symbol,
        assetClass: inst.assetClass,
        pegTarget: inst.pegTarget ?? null,
      };
      const idOf = new Map<object, number>();
      const tsList = group.map((e) => e.raw.ts).filter(Number.isFinite);
      const lo = Math.min(...tsList);
      const hi = Math.max(...tsList);
      let res: GateResult<StoredBar> | GateResult<PricePoint>;
      if (isBarRow(first.raw)) {
        const interval = first.raw.interval;
        const rows = group.map((e) => {
          const row = e.raw as StoredBar;
          idOf.set(row, e.id);
          return row;
        });
        const pad = 40 * INTERVAL_MS[interval];
        const stored: StoredBar[] = (
          await readBars(db, inst.symbol, interval, { from: lo - pad, to: hi + pad + 1 })
        ).map((b) => ({ ...b, symbol: inst.symbol, interval, source: 'store' }));
        const gate = opts.force
          ? { accepted: rows, unchanged: [], rejected: [], replaced: [] }
          : checkBars(rows, { instrument, mode: 'backfill', now, stored, thresholds: opts.thresholds });
        await upsertBars(db, gate.accepted);
        res = gate;
      } else {
        const rows = group.map((e) => {
          const row = e.raw as PricePoint;
          idOf.set(row, e.id);
          return row;
        });
        const pad = 40 * 86_400_000;
        const stored = await readPrices(db, inst.symbol, { from: lo - pad, to: hi + pad + 1 });
        const gate = opts.force
          ? { accepted: rows, unchanged: [], rejected: [], replaced: [] }
          : checkPrices(rows, { instrument, mode: 'backfill', now, stored, thresholds: opts.thresholds });
        await upsertPrices(db, gate.accepted);
        res = gate;
      }
      await auditReplaced(db, res.replaced, 'quarantine-release');
      // The gate returns marked copies of accepted rows; match them back to entries by series key.
      const keyOf = (r: StoredBar | PricePoint): string => `${r.ts}`;
      const idByKey = new Map(group.map((e) => [keyOf(e.raw), e.id]));
      for (const r of [...res.accepted, ...res.unchanged]) {
        const id = idOf.get(r) ?? idByKey.get(keyOf(r));
        if (id !== undefined) out.loaded.push(id);
      }
      for (const r of res.rejected) {
        const id = idOf.get(r.row) ?? idByKey.get(keyOf(r.row));
        if (id !== undefined) out.refused.push({ id, rule: r.rule, reason: r.reason });
      }
    }
    return out;
  };
}
