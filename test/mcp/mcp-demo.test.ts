/**
 * Issue 23's "done when": an MCP client answers "what was USDC's worst depeg and what is today's VaR?"
 * through the tools, on the demo data. The store holds the demo's series of the default portfolio's assets
 * (samples/portfolio.json: USDC, USDT, DAI) exactly as `marketpipe demo` writes them (planDemoSeries +
 * demoBars: the real samples where they exist, the seeded synthetic market around them); loading the whole
 * demo universe would take minutes and changes nothing these two answers read.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBars, planDemoSeries } from '../../src/sources/synthetic/demo-series.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { listInstruments, upsertInstruments } from '../../src/store/repos/instruments.ts';
import { loadUniverse } from '../../src/universe.ts';
import { createTempDatabase } from '../store/backends.ts';
import { runMain } from '../support/cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/marketpipe.mjs');
const PORTFOLIO = ['USDC', 'USDT', 'DAI'];

let tmp: Awaited<ReturnType<typeof createTempDatabase>>;
let db: Db;
let client: Client;
const home = mkdtempSync(join(tmpdir(), 'mp-mcp-demo-'));

beforeAll(async () => {
  tmp = await createTempDatabase('mcpdemo');
  db = await openPostgres(tmp.url);
  await migrate(db);
  await upsertInstruments(db, loadUniverse());
  const now = Date.now();
  const plans = planDemoSeries(await listInstruments(db), now).filter((p) =>
    PORTFOLIO.includes(p.instrument.symbol),
  );
  await upsertBars(
    db,
    plans.flatMap((p) => demoBars(p, null)),
  );
  client = new Client({ name: 'done-when', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--db', tmp.url, 'mcp'],
      env: { ...process.env, MARKETPIPE_HOME: home } as Record<string, string>,
      stderr: 'ignore',
    }),
  );
}, 120_000);

afterAll(async () => {
  await client?.close();
  await db?.close();
  await tmp?.drop();
});

type Answer = { isError?: boolean; structuredContent?: Record<string, unknown> };

describe("an MCP client answers “what was USDC's worst depeg and what is today's VaR?” on the demo data", () => {
  it('finds the SVB weekend as USDC’s worst depeg, at the real Kraken low, as the CLI does', async () => {
    const r = (await client.callTool({ name: 'get_depegs', arguments: { asset: 'USDC' } })) as Answer;
    expect(r.isError).toBeFalsy();
    const events = (r.structuredContent?.events ?? []) as { min_price: number; min_price_at: string }[];
    const worst = [...events].sort((a, b) => a.min_price - b.min_price)[0];
    // samples/stablecoins/USDC_kraken_1h_2023-03.csv (real Kraken USDC/USD hours of March 2023): its lowest
    // low is the worst price the demo stores for USDC, hence the worst depeg's.
    const rows = readFileSync(join(ROOT, 'samples/stablecoins/USDC_kraken_1h_2023-03.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const lowest = rows.reduce((m, r) => (Number(r[3]) < Number(m[3]) ? r : m));
    expect(worst?.min_price).toBe(Number(lowest[3]));
    expect(worst?.min_price_at).toBe(new Date(String(lowest[0])).toISOString());
    expect(worst?.min_price_at.slice(0, 10)).toMatch(/^2023-03-1[01]$/);
    const cli = await runMain([
      '--db',
      tmp.url,
      '--json',
      'analytics',
      'depegs',
      '--asset',
      'USDC',
      '--dry-run',
    ]);
    expect(cli.code, cli.err).toBe(0);
    expect(r.structuredContent).toEqual(JSON.parse(cli.out));
  }, 60_000);

  it("gives today's VaR of the default portfolio, equal to `risk var --json`", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = (await client.callTool({ name: 'run_var', arguments: { simulations: 5000 } })) as Answer;
    expect(r.isError).toBeFalsy();
    const v = r.structuredContent ?? {};
    expect(v.date).toBe(today);
    expect(v.var_95).toBeGreaterThan(0);
    expect(Number(v.var_99)).toBeGreaterThanOrEqual(Number(v.var_95));
    const cli = await runMain(['--db', tmp.url, '--json', 'risk', 'var', '--sims', '5000'], {
      MARKETPIPE_HOME: home,
    });
    expect(cli.code, cli.err).toBe(0);
    const expected = JSON.parse(cli.out) as Record<string, unknown>;
    // the seed defaults to the date, so the two runs draw the same paths: every number is equal
    for (const k of Object.keys(expected).filter((k) => k !== 'simulation_time_ms'))
      expect(v[k], k).toEqual(expected[k]);
  }, 60_000);
});
