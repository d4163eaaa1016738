import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/time.ts';
import type { Instrument } from '../../src/core/types.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import { insertAlert } from '../../src/store/repos/alerts.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { saveReport } from '../../src/store/repos/risk.ts';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { runMain } from '../support/cli.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/marketpipe.mjs');
const KEY = 'k-mcp-test';
/** The default portfolio (samples/portfolio.json) holds USDC, USDT and DAI: the fixture gets the two it lacks. */
const EXTRA: Instrument[] = [
  {
    symbol: 'USDT',
    assetClass: 'stablecoin',
    name: 'Tether',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
  },
  { symbol: 'DAI', assetClass: 'stablecoin', name: 'Dai', currency: 'USD', timezone: 'UTC', pegTarget: 1 },
];

let h: ApiHarness;
let url: string;
let stdio: Client;
let http: Client;

type ToolAnswer = { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };

const ajv = new AjvJsonSchemaValidator();
/** Tools answered without error, per client: every tool must be among them by the end of the suite. */
const answered = new Map<Client, Set<string>>();

/**
 * Calls a tool and, unless it is a tool error, checks its structured content against the outputSchema the
 * server listed (an independent AJV check beside the SDK client's own) and that the text content is the same
 * JSON.
 */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const r = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  if (r.isError) return r;
  const tool = (await client.listTools()).tools.find((t) => t.name === name);
  expect(tool?.outputSchema, `${name} declares an outputSchema`).toBeDefined();
  const check = ajv.getValidator(tool?.outputSchema ?? {})(r.structuredContent);
  expect(check.valid ? null : check.errorMessage, `${name} structuredContent`).toBeNull();
  const text = (r.content as { type: string; text: string }[])[0];
  expect(JSON.parse(text?.text ?? 'null'), `${name} text = structured`).toEqual(r.structuredContent);
  const set = answered.get(client) ?? new Set<string>();
  set.add(name);
  answered.set(client, set);
  return r;
}

async function cliJson(args: string[]): Promise<Record<string, unknown>> {
  const r = await runMain(['--db', url, '--json', ...args]);
  expect(r.code, `marketpipe ${args.join(' ')}: ${r.err}`).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
}

beforeAll(async () => {
  h = await startApi({ store: 'postgres', apiKeys: [KEY] });
  url = h.dbUrl ?? '';
  const now = Date.now();
  await upsertInstruments(h.db, EXTRA);
  await upsertBars(
    h.db,
    EXTRA.flatMap((inst) =>
      syntheticBars(inst, '1d', { from: now - 400 * DAY_MS, to: now }, { seed: 7 }).map((b) => ({
        ...b,
        symbol: inst.symbol,
        interval: '1d' as const,
        source: 'synthetic',
      })),
    ),
  );
  // one stored alert (a supply drop) and one stored report, so that every tool has an answer to give
  await insertAlert(h.db, {
    type: 'supply_drop',
    asset: 'USDC',
    ts: now - DAY_MS,
    price: 38e9,
    threshold: -0.05,
    venues: ['defillama'],
    details: { change_24h: -0.05 },
  });
  await saveReport(h.db, '2023-03-13', 'default', { var: { var_95: 1234.5 }, depegs: [] }, '<html></html>');
  // an older report whose document is not an object: its answer breaks the declared output
  await saveReport(h.db, '2023-03-01', 'default', [1, 2], '<html></html>');
  stdio = new Client({ name: 'test-stdio', version: '1' });
  await stdio.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--db', url, 'mcp'],
      stderr: 'ignore',
    }),
  );
  http = new Client({ name: 'test-http', version: '1' });
  await http.connect(
    new StreamableHTTPClientTransport(new URL(`${h.server.url}/mcp`), {
      requestInit: { headers: { 'x-api-key': KEY } },
    }),
  );
}, 180_000);

afterAll(async () => {
  await stdio?.close();
  await http?.close();
  await h?.close();
});

const EXPECTED_TOOLS = [
  'ask_sql',
  'get_alerts',
  'get_correlations',
  'get_coverage',
  'get_depegs',
  'get_latest',
  'get_prices',
  'get_risk_report',
  'list_instruments',
  'run_backtest',
  'run_stress',
  'run_var',
];

describe.each([
  ['stdio', () => stdio],
  ['http', () => http],
] as const)('MCP over %s', (_name, client) => {
  it('lists the twelve tools, each with an input schema, and the schema resource', async () => {
    const tools = await client().listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(EXPECTED_TOOLS);
    for (const t of tools.tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type, `${t.name} outputSchema`).toBe('object');
      expect(Object.keys(t.outputSchema?.properties ?? {}).length, t.name).toBeGreaterThan(0);
    }
    const res = await client().readResource({ uri: 'marketpipe://schema' });
    const first = res.contents[0];
    expect(first && 'text' in first ? first.text : '').toContain('market_data.bars');
  });

  it('answers as the CLI --json does: instruments, depegs, VaR, stress, correlations', async () => {
    const inst = await call(client(), 'list_instruments');
    const cliInst = await cliJson(['instruments', 'list']);
    expect(inst.structuredContent).toEqual(JSON.parse(JSON.stringify(cliInst)));

    const dep = await call(client(), 'get_depegs', { asset: 'USDC' });
    const cliDep = await cliJson(['analytics', 'depegs', '--asset', 'USDC', '--dry-run']);
    expect(dep.structuredContent).toEqual(cliDep);

    const date = new Date().toISOString().slice(0, 10);
    const v = await call(client(), 'run_var', { simulations: 2000, seed: 42, date });
    const cliVar = await cliJson(['risk', 'var', '--sims', '2000', '--seed', '42', '--date', date]);
    // every key of the CLI's answer (its run time aside) equals the tool's
    for (const k of Object.keys(cliVar).filter((k) => k !== 'simulation_time_ms'))
      expect(v.structuredContent?.[k], k).toEqual(cliVar[k]);
    expect(v.structuredContent?.var_95).toBeGreaterThan(0);

    const s = await call(client(), 'run_stress');
    const cliStress = await cliJson(['risk', 'stress']);
    expect(s.structuredContent).toEqual(cliStress);

    const asOf = new Date(Date.now() - DAY_MS).toISOString();
    const corr = await call(client(), 'get_correlations', { window_days: 90, as_of: asOf });
    const cliCorr = await cliJson([
      'analytics',
      'correlations',
      '--window',
      '90',
      '--as-of',
      asOf,
      '--dry-run',
      '--all',
    ]);
    expect(corr.structuredContent?.pairs).toEqual(cliCorr.pairs);

    const cov = await call(client(), 'get_coverage', { symbols: ['BTC'] });
    const cliCov = (await cliJson(['coverage', '--symbols', 'BTC'])) as { instruments: object[] };
    // every field but the age of the newest point, which grows between the two calls
    const steady = (rows: unknown) =>
      (rows as Record<string, unknown>[]).map(({ freshness_seconds: _, ...r }) => r);
    expect(steady(cov.structuredContent?.instruments)).toEqual(steady(cliCov.instruments));
    expect(steady(cliCov.instruments).length).toBeGreaterThan(0);
  }, 120_000);

  it('prices, latest, alerts, backtest and report answer on the fixture', async () => {
    const p = await call(client(), 'get_prices', { symbol: 'btc', interval: '1d' });
    expect(p.isError, JSON.stringify(p.content)).toBeFalsy();
    const bars = p.structuredContent?.bars as { ts: string; close: number }[];
    expect(bars.length).toBeGreaterThan(300);
    const latest = await call(client(), 'get_latest', { symbol: 'BTC' });
    // The fixture's point price in the last hour is 65,000 (test/api/fixture.ts).
    expect(latest.structuredContent?.price).toBe(65_000);
    const alerts = await call(client(), 'get_alerts');
    expect(alerts.structuredContent).toEqual(await cliJson(['alerts', 'list']));
    const bt = await call(client(), 'run_backtest', { strategy: 'ma-crossover', symbols: ['BTC'] });
    expect(bt.isError, JSON.stringify(bt.content)).toBeFalsy();
    expect(bt.structuredContent?.metrics).toHaveProperty('sharpe');
    const report = await call(client(), 'get_risk_report');
    expect(report.structuredContent).toEqual({
      date: '2023-03-13',
      portfolio: 'default',
      report: { var: { var_95: 1234.5 }, depegs: [] },
    });
    const none = await call(client(), 'get_risk_report', { date: '2020-01-01' });
    expect(none.isError).toBe(true); // none stored that day: a tool error with the reason, not a crash
    expect(JSON.stringify(none.content)).toContain('no risk report for 2020-01-01');
    // an answer that does not match the tool's outputSchema is a tool error naming the field, not a crash
    const broken = await call(client(), 'get_risk_report', { date: '2023-03-01' });
    expect(broken.isError).toBe(true);
    expect((broken.content as { text: string }[])[0]?.text).toMatch(
      /^get_risk_report: answer does not match the declared output at report: /,
    );
  }, 60_000);

  it('refuses a hostile ask_sql and bad input as tool errors, and keeps serving', async () => {
    for (const sql of [
      'DELETE FROM market_data.bars',
      'SELECT 1; DROP TABLE market_data.bars',
      "SELECT pg_read_file('/etc/passwd')",
      'SELECT * FROM config.audit_log',
    ]) {
      const r = await call(client(), 'ask_sql', { sql });
      expect(r.isError, sql).toBe(true);
    }
    const ok = await call(client(), 'ask_sql', { sql: 'SELECT count(*) AS n FROM market_data.instruments' });
    expect(ok.structuredContent?.rows).toEqual([{ n: 6 }]);
    const bad = await call(client(), 'get_prices', { symbol: 'NOPE' });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('unknown instrument');
    const path = await call(client(), 'run_backtest', { strategy: '../evil.ts', symbols: ['BTC'] });
    expect(path.isError).toBe(true);
    const badArg = await call(client(), 'get_prices', { symbol: 'BTC', interval: '7y' });
    expect(badArg.isError).toBe(true);
    expect(JSON.stringify(badArg.content)).toContain('interval');
    expect((await client().listTools()).tools).toHaveLength(12);
  });

  it('every tool answered with structured content matching its outputSchema', () => {
    expect([...(answered.get(client()) ?? [])].sort()).toEqual(EXPECTED_TOOLS);
  });
});

describe('MCP over HTTP without the API key', () => {
  it('is refused with 401', async () => {
    const res = await fetch(`${h.server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
  });
});
