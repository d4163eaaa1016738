import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/open.ts';
import { DEFAULT_UNIVERSE_FILE } from '../../src/universe.ts';
import { runMain } from '../support/cli.ts';

// The first 40 days of a real file shipped in samples/ (SPY daily bars as Yahoo writes them, see
// samples/README.md), imported under other symbols: only that a file is stored matters here.
const DATA_ROWS = 40;
const FILE = join(mkdtempSync(join(tmpdir(), 'mp-fresh-file-')), 'prices.csv');
writeFileSync(
  FILE,
  readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'SPY_daily_1999-2020.csv'), 'utf8')
    .split('\n')
    .slice(0, DATA_ROWS + 1)
    .join('\n'),
);
const UNIVERSE = (JSON.parse(readFileSync(DEFAULT_UNIVERSE_FILE, 'utf8')) as { instruments: unknown[] })
  .instruments.length;

const run = (home: string, args: string[]) => runMain(['--home', home, ...args], { LOG_LEVEL: 'warn' });

describe('a new store holds the default universe (issue 16)', () => {
  // One owner holds each new store open (its first open creates it), so the commands below reach it over the
  // owner's socket instead of each opening PGlite again.
  const home = mkdtempSync(join(tmpdir(), 'mp-fresh-'));
  let owner: Store;
  beforeAll(async () => {
    owner = await openStore({ home });
  }, 60_000);
  afterAll(async () => {
    await owner.close();
  });

  it('import into a new home stores the file; list shows the universe; a removal is not undone', async () => {
    const imported = await run(home, ['--json', 'import', FILE, '--symbol', 'AAPL']);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out)).toMatchObject({ read: DATA_ROWS, stored: DATA_ROWS, failed: 0 });

    const listed = await run(home, ['--json', 'instruments', 'list']);
    const symbols = (JSON.parse(listed.out) as { instruments: Array<{ symbol: string }> }).instruments.map(
      (i) => i.symbol,
    );
    expect(symbols).toHaveLength(UNIVERSE);
    expect(symbols).toContain('USDC');

    // loaded once, at creation: the user's removal is not undone by the next open (migrating again)
    expect((await run(home, ['instruments', 'remove', 'MSFT'])).code).toBe(0);
    expect((await run(home, ['migrate'])).code).toBe(0);
    const after = await run(home, ['--json', 'instruments', 'list', '--class', 'equity']);
    const equities = (JSON.parse(after.out) as { instruments: Array<{ symbol: string }> }).instruments;
    expect(equities.map((i) => i.symbol)).not.toContain('MSFT');
    expect(equities.map((i) => i.symbol)).toContain('AAPL');
  }, 120_000);

  it('an unknown symbol says how to add it; --create --class adds it; bad --class/--peg are usage errors', async () => {
    const unknown = await run(home, ['import', FILE, '--symbol', 'ACME']);
    expect(unknown.code).toBe(1);
    expect(unknown.err.trim().split('\n')).toHaveLength(1);
    expect(unknown.err).toContain('unknown instrument "ACME"');
    expect(unknown.err).toContain('--create --class');

    const badClass = await run(home, ['import', FILE, '--symbol', 'ACME', '--create', '--class', 'bond']);
    expect(badClass.code).toBe(2);
    expect(badClass.err).toContain('allowed: equity, etf, crypto, fx, stablecoin, index, economic');
    const noClass = await run(home, ['import', FILE, '--symbol', 'ACME', '--create']);
    expect(noClass.code).toBe(2);
    const badPeg = await run(home, ['instruments', 'add', 'XUSD', '--class', 'stablecoin', '--peg', 'one']);
    expect(badPeg.code).toBe(2);
    expect(badPeg.err).toContain('--peg: expected a positive number');

    const created = await run(home, [
      '--json',
      'import',
      FILE,
      '--symbol',
      'ACME',
      '--create',
      '--class',
      'equity',
    ]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ stored: DATA_ROWS });
    const one = await run(home, ['--json', 'instruments', 'list', '--class', 'equity']);
    const acme = (
      JSON.parse(one.out) as { instruments: Array<{ symbol: string; assetClass: string }> }
    ).instruments.find((i) => i.symbol === 'ACME');
    expect(acme?.assetClass).toBe('equity');

    const backfill = await run(home, ['backfill', '--start-date', '2024-01-01', '--asset', 'NOPE']);
    expect(backfill.code).toBe(1);
    expect(backfill.err).toContain('marketpipe instruments add NOPE --class');
  }, 120_000);
});
