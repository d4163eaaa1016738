import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/core/types.ts';
import type { Loopback } from '../../src/sources/testing/loopback.ts';
import { openStore } from '../../src/store/open.ts';
import { spawnCli } from '../support/cli.ts';
import { startFakePolygon } from './fake-providers.ts';

const AAPL: Instrument = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { polygon: 'AAPL' },
};

const cli = (home: string, args: string[], env: Record<string, string>) =>
  spawnCli(['--home', home, ...args], { LOG_LEVEL: 'warn', ...env });

async function snapshot(home: string) {
  const store = await openStore({ home });
  try {
    const bars = await store.db.query<{ ts: Date; close: number }>(
      `SELECT b.ts, b.close FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
        WHERE i.symbol = 'AAPL' AND b.interval = '1d' ORDER BY b.ts`,
    );
    const wm = await store.db.query<{ watermark: Date }>(
      `SELECT w.watermark FROM ops.watermarks w JOIN market_data.instruments i ON i.id = w.instrument_id
        WHERE i.symbol = 'AAPL'`,
    );
    return {
      rows: bars.rows.map((r) => `${new Date(r.ts).toISOString()} ${r.close}`),
      watermark: wm.rows.map((r) => new Date(r.watermark).toISOString()),
    };
  } finally {
    await store.close();
  }
}

describe('backfill from the CLI against a loopback Polygon', () => {
  let slow: Loopback;
  let fast: Loopback;
  beforeAll(async () => {
    slow = await startFakePolygon({ instruments: { AAPL }, pageSize: 50, delayMs: 120 });
    fast = await startFakePolygon({ instruments: { AAPL }, pageSize: 50 });
  });
  afterAll(async () => {
    await slow.close();
    await fast.close();
  });

  it('a run killed (SIGKILL) mid-backfill and re-run ends with exactly the rows of a clean run', async () => {
    const args = [
      'backfill',
      '--start-date',
      '2023-01-01',
      '--asset',
      'AAPL',
      '--source',
      'polygon',
      '--json',
    ];
    const killedHome = mkdtempSync(join(tmpdir(), 'mp-killed-'));
    const cleanHome = mkdtempSync(join(tmpdir(), 'mp-clean-'));
    for (const home of [killedHome, cleanHome]) {
      const load = cli(
        home,
        ['instruments', 'add', 'AAPL', '--class', 'equity', '--name', 'Apple', '--source', 'polygon=AAPL'],
        {},
      );
      expect((await load.done).code).toBe(0);
      // The seeded limit is Polygon's free tier (5 requests/min); a paid plan is set like this.
      const limit = cli(
        home,
        ['config', 'set', 'rate_limits.polygon_per_minute', '100000', '--reason', 'test plan'],
        {},
      );
      const res = await limit.done;
      expect(res.code, res.stderr).toBe(0);
    }

    const env = (base: string) => ({ POLYGON_BASE_URL: base, POLYGON_API_KEY: 'test-key' });
    const first = cli(killedHome, args, env(slow.baseUrl));
    let exited = false;
    void first.done.then(() => {
      exited = true;
    });
    while (slow.requests.length < 6 && !exited) await new Promise((r) => setTimeout(r, 20));
    expect(exited, 'the first run ended before it could be killed').toBe(false);
    first.proc.kill('SIGKILL');
    expect((await first.done).code).toBe(null);

    const resumed = cli(killedHome, args, env(slow.baseUrl));
    const r = await resumed.done;
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { stored: number; failed: number };
    expect(summary.failed).toBe(0);
    expect(summary.stored).toBeGreaterThan(0);

    const clean = await cli(cleanHome, args, env(fast.baseUrl)).done;
    expect(clean.code, clean.stderr).toBe(0);

    const a = await snapshot(killedHome);
    const b = await snapshot(cleanHome);
    expect(a.rows.length).toBeGreaterThan(400);
    expect(new Set(a.rows).size).toBe(a.rows.length);
    expect(a.rows).toEqual(b.rows);
    expect(a.watermark).toEqual(b.watermark);
    expect(a.watermark).toEqual([a.rows.at(-1)?.split(' ')[0]]);
  }, 300_000);

  it('refuses an unknown source and a bad date with one line and exit 2', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mp-usage-'));
    const bad = await cli(home, ['backfill', '--start-date', 'yesterday-ish'], {}).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('marketpipe: --start-date: cannot read "yesterday-ish" as a date or time');
    const src = await cli(home, ['ingest', 'historical', '1M', '--source', 'nope'], {}).done;
    expect(src.code).toBe(2);
    expect(src.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
