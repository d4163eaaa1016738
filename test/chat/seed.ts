import { DAY_MS } from '../../src/core/time.ts';
import type { Instrument } from '../../src/core/types.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { FIXTURE_INSTRUMENTS } from '../api/fixture.ts';

/** The API tests' universe plus an ETF and an FX pair. */
const CHAT_INSTRUMENTS: Instrument[] = [
  ...FIXTURE_INSTRUMENTS,
  {
    symbol: 'SPY',
    assetClass: 'etf',
    name: 'SPDR S&P 500',
    currency: 'USD',
    timezone: 'America/New_York',
    exchange: 'NYSE',
  },
  { symbol: 'EUR_USD', assetClass: 'fx', name: 'Euro / US dollar', currency: 'USD', timezone: 'UTC' },
];

/** ~`days` of synthetic daily bars (seed 11) for the chat and report tests, up to `now`. */
export async function seedBars(db: Db, now: number, days = 120): Promise<number> {
  await upsertInstruments(db, CHAT_INSTRUMENTS);
  const range = { from: now - days * DAY_MS, to: now };
  const bars = CHAT_INSTRUMENTS.flatMap((inst) =>
    syntheticBars(inst, '1d', range, { seed: 11 }).map((b) => ({
      ...b,
      symbol: inst.symbol,
      interval: '1d' as const,
      source: 'synthetic',
    })),
  );
  await upsertBars(db, bars);
  return bars.length;
}

/** Row counts and a checksum of every table the hostile queries aim at: equal before and after. */
export async function storeFingerprint(db: Db): Promise<string> {
  const tables = [
    'market_data.instruments',
    'market_data.bars',
    'market_data.prices',
    'ops.quarantine',
    'risk.portfolios',
    'config.parameters',
  ];
  const parts: string[] = [];
  for (const t of tables) {
    const r = await db.query<{ n: string | number; h: string | null }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${t} t`,
    );
    parts.push(`${t}:${r.rows[0]?.n}:${r.rows[0]?.h}`);
  }
  const roles = await db.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE 'evil%'",
  );
  const schemas = await db.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'evil%'",
  );
  const tablesNow = await db.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'evil%' OR relname LIKE 'stolen%'",
  );
  parts.push(`roles:${roles.rows[0]?.n}`, `schemas:${schemas.rows[0]?.n}`, `rels:${tablesNow.rows[0]?.n}`);
  return parts.join('\n');
}
