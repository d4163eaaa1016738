/** `instruments add --source provider=symbol` with provider symbols that themselves hold '='. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as instrumentsCmd from '../src/cli/commands/instruments.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { getInstrument } from '../src/store/repos/instruments.ts';
import { runCommands } from './support/cli.ts';

let db: Db;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
});
afterAll(async () => db.close());

describe('instruments add --source splits at the first "=" only', () => {
  it('keeps Yahoo FX and futures symbols whole (USDGBP=X, ES=F)', async () => {
    const r = await runCommands([instrumentsCmd], { db }, [
      'instruments',
      'add',
      'USD_GBP',
      '--class',
      'fx',
      '--source',
      'yahoo=USDGBP=X',
      '--source',
      'oanda=USD_GBP',
    ]);
    expect(r.code).toBe(0);
    expect((await getInstrument(db, 'USD_GBP'))?.sources).toEqual({ yahoo: 'USDGBP=X', oanda: 'USD_GBP' });
    await runCommands([instrumentsCmd], { db }, [
      'instruments',
      'add',
      'ES',
      '--class',
      'index',
      '--source',
      'yahoo=ES=F',
    ]);
    expect((await getInstrument(db, 'ES'))?.sources).toEqual({ yahoo: 'ES=F' });
  });

  it('still refuses a pair without a provider or a symbol', async () => {
    for (const bad of ['yahoo', '=USDGBP=X', 'yahoo=']) {
      await expect(
        runCommands([instrumentsCmd], { db }, ['instruments', 'add', 'X', '--class', 'fx', '--source', bad]),
      ).rejects.toThrow(/--source: expected provider=symbol/);
    }
  });
});
