/**
 * The chat SQL guard and guarded execution: what the safety costs per query.
 * - parse: libpg_query (WASM) alone, the floor of any real-parser guard;
 * - guard: parse + AST walk (allow-lists, scopes) — ratio to parse;
 * - guard + wrap: the statement guarded again after the 1000-row wrapper (what execution does);
 * - execute: READ ONLY transaction + role + EXPLAIN cost check + query on PGlite, against the bare query.
 */
import { parseSync } from 'libpg-query';
import { executeGuarded } from '../src/chat/execute.ts';
import { guardSql, limitedSql, loadParser } from '../src/chat/sql-guard.ts';
import { DAY_MS } from '../src/core/time.ts';
import { syntheticBars } from '../src/sources/synthetic/generator.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const QUERIES = [
  "SELECT b.ts, b.close FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'BTC' AND b.interval = '1d' ORDER BY b.ts DESC LIMIT 10",
  `WITH r AS (SELECT i.asset_class, b.close / lag(b.close) OVER (PARTITION BY b.instrument_id ORDER BY b.ts) - 1 AS ret
     FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE b.interval = '1d')
   SELECT asset_class, round((avg(ret) * 100)::numeric, 3) AS pct FROM r WHERE ret IS NOT NULL GROUP BY asset_class`,
  'SELECT asset_class, count(*) AS n FROM market_data.instruments WHERE active GROUP BY asset_class ORDER BY n DESC',
];

async function rate(
  label: string,
  n: number,
  fn: () => unknown | Promise<unknown>,
): Promise<{ label: string; perSec: number; usEach: number }> {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const ms = performance.now() - t0;
  return { label, perSec: (n / ms) * 1000, usEach: (ms * 1000) / n };
}

export async function run(): Promise<void> {
  await loadParser();
  const q = (i: number) => QUERIES[i % QUERIES.length] ?? '';
  let k = 0;
  // warm every path first so the first measured case does not pay the JIT for the others
  for (let i = 0; i < 1500; i++) await limitedSql(await guardSql(q(i)), 1000);
  const parse = await rate('parse (libpg_query WASM)', 3000, () => parseSync(q(k++)));
  const guard = await rate('guardSql (parse + walk)', 3000, () => guardSql(q(k++)));
  const wrap = await rate('guardSql + limitedSql', 3000, async () =>
    limitedSql(await guardSql(q(k++)), 1000),
  );

  const db = await openPglite();
  await migrate(db);
  const now = Date.parse('2026-06-01T00:00:00Z');
  const insts = [
    { symbol: 'BTC', assetClass: 'crypto' as const, name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    { symbol: 'ETH', assetClass: 'crypto' as const, name: 'Ethereum', currency: 'USD', timezone: 'UTC' },
  ];
  await upsertInstruments(db, insts);
  await upsertBars(
    db,
    insts.flatMap((inst) =>
      syntheticBars(inst, '1d', { from: now - 365 * DAY_MS, to: now }, { seed: 3 }).map((b) => ({
        ...b,
        symbol: inst.symbol,
        interval: '1d' as const,
        source: 'synthetic',
      })),
    ),
  );
  const sql = q(0);
  const bare = await rate('bare db.query (PGlite)', 300, () => db.query(sql));
  const guarded = await rate('executeGuarded (PGlite)', 300, () => executeGuarded(db, sql));
  await db.close();

  const rows = [
    { ...parse, ratio: 1 },
    { ...guard, ratio: parse.usEach / guard.usEach },
    { ...wrap, ratio: parse.usEach / wrap.usEach },
    { ...bare, ratio: 1 },
    { ...guarded, ratio: bare.usEach / guarded.usEach },
  ];
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(
    `${pad('case', 28)}${'per s'.padStart(10)}${'µs each'.padStart(10)}  ratio (rate vs its floor)\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${pad(r.label, 28)}${r.perSec.toFixed(0).padStart(10)}${r.usEach.toFixed(1).padStart(10)}  ${r.ratio.toFixed(2)}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
