/**
 * Two real `marketpipe stream` processes sharing one Redis split the (venue, symbol) subscriptions, and when
 * one is killed with SIGKILL the other takes its pairs within 15 s (issue 20). The loopback Kraken sees, per
 * connection, which pairs each process subscribed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/core/types.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { createTempDatabase } from '../store/backends.ts';
import { spawnCli } from '../support/cli.ts';
import { FakeVenue } from './fake-venues.ts';

const REDIS = 'redis://127.0.0.1:6379';
const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP'];
const PAIRS = SYMBOLS.map((s) => `${s}/USD`).sort();

let db: Db;
let url: string;
let drop: () => Promise<void>;
let kraken: FakeVenue;
beforeAll(async () => {
  const tmp = await createTempDatabase('live_scale');
  url = tmp.url;
  drop = tmp.drop;
  db = await openPostgres(url);
  await migrate(db);
  // No kraken mapping stored: the Kraken source's listing (BTC → BTC/USD, …) names the pairs.
  await upsertInstruments(
    db,
    SYMBOLS.map(
      (symbol): Instrument => ({
        symbol,
        assetClass: 'crypto',
        name: symbol,
        currency: 'USD',
        timezone: 'UTC',
      }),
    ),
  );
  kraken = await FakeVenue.start('kraken');
}, 60_000);
afterAll(async () => {
  await kraken.close();
  await db.close();
  await drop();
});

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pairs each open connection holds now. */
const holdings = () => [...kraken.bySocket.values()].map((s) => [...s].sort());

describe('stream scale-out with Redis leases', () => {
  it('two processes split the pairs; SIGKILL of one hands its pairs to the other within 15 s', async () => {
    const prefix = `mp_test_live_${process.pid}_${Date.now()}:`;
    const env = { KRAKEN_WS_URL: kraken.url, LOG_LEVEL: 'warn' };
    const args = [
      'stream',
      '--db',
      url,
      '--redis',
      REDIS,
      '--venues',
      'kraken',
      '--symbols',
      SYMBOLS.join(','),
      '--lease-prefix',
      prefix,
      '--for',
      '90s',
      '--json',
    ];
    const a = spawnCli([...args, '--seed', '1'], env, 120_000);
    const b = spawnCli([...args, '--seed', '2'], env, 120_000);
    try {
      // Both connected, each holding a share, together all four pairs, none twice.
      await until(
        'an even split',
        () => {
          const h = holdings().filter((x) => x.length > 0);
          return h.length === 2 && h.every((x) => x.length === 2) && h.flat().sort().join() === PAIRS.join();
        },
        60_000,
      );
      const killedAt = Date.now();
      a.proc.kill('SIGKILL');
      await until(
        'the survivor to hold every pair',
        () => {
          const h = holdings().filter((x) => x.length > 0);
          return h.length === 1 && h[0]?.join() === PAIRS.join();
        },
        20_000,
      );
      const took = Date.now() - killedAt;
      expect(took, `takeover after ${took} ms`).toBeLessThan(15_000);
      // SIGTERM ends the survivor cleanly with its --json summary.
      b.proc.kill('SIGTERM');
      const run = await b.done;
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(Object.keys(summary)).toEqual(
        expect.arrayContaining([
          'messages',
          'trades',
          'bars_stored',
          'reconnects',
          'gaps_repaired',
          'alerts',
          'duration_ms',
          'venues',
        ]),
      );
      expect(summary.venues).toEqual([expect.objectContaining({ venue: 'kraken', connected: true })]);
    } finally {
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGTERM');
      await Promise.all([a.done, b.done]);
    }
  }, 120_000);
});
