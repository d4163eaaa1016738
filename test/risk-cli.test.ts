import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quoteCmd from '../src/cli/commands/quote.ts';
import * as riskCmd from '../src/cli/commands/risk.ts';
import * as scenariosCmd from '../src/cli/commands/scenarios.ts';
import { UsageError } from '../src/core/errors.ts';
import { loadSettings } from '../src/settings.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { runCommands } from './support/cli.ts';

describe('risk, scenarios and quote commands with --json (in-process, PGlite)', () => {
  let db: Db;
  let home: string;
  const run = async (...argv: string[]): Promise<Record<string, unknown>> => {
    const settings = loadSettings({ MARKETPIPE_HOME: home });
    const { printed } = await runCommands([riskCmd, scenariosCmd, quoteCmd], { settings, db }, argv);
    expect(printed.length, `one JSON document for ${argv.join(' ')}`).toBe(1);
    return JSON.parse(JSON.stringify(printed[0])) as Record<string, unknown>;
  };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    home = mkdtempSync(join(tmpdir(), 'mp-risk-cli-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('risk var prints the DESIGN.md shape', async () => {
    const r = await run('risk', 'var', '--sims', '2000', '--seed', '5', '--date', '2024-03-01');
    for (const k of [
      'var_95',
      'var_99',
      'cvar_95',
      'expected_loss',
      'worst_case',
      'best_case',
      'scenarios_used',
      'simulations',
      'simulation_time_ms',
    ]) {
      expect(typeof r[k], k).toBe('number');
    }
    expect(r.simulations).toBe(2000);
    expect(r.seed).toBe(5);
    // Method, horizon and scaling stated with the number (30 calendar days, √t on each asset's calendar).
    expect(r.conventions).toMatchObject({
      method: 'monte_carlo',
      horizon_days: 30,
      horizon_unit: 'calendar_days',
      scaling: 'sqrt_time',
    });
    const lines: string[] = [];
    await runCommands(
      [riskCmd],
      {
        settings: loadSettings({ MARKETPIPE_HOME: home }),
        db,
        json: false,
        print: <T>(r: T, format?: (v: T) => string) => {
          lines.push(format ? format(r) : String(r));
        },
      },
      ['risk', 'var', '--sims', '2000', '--seed', '5', '--date', '2024-03-01'],
    );
    expect(lines.join('\n')).toMatch(
      /horizon 30 calendar days \(.*bars at 365\/yr.*\); scaling σ_daily × √bars \(√t\)/,
    );
  });

  it('risk stress, risk report, scenarios add/disable/list, quote', async () => {
    const s = await run('risk', 'stress');
    expect((s.results as unknown[]).length).toBe(5);
    const rep = await run('risk', 'report', '--date', '2024-03-05', '--sims', '2000');
    expect((rep.files as { json: string }).json).toBe(join(home, 'reports', 'risk_report_2024-03-05.json'));
    const added = await run(
      'scenarios',
      'add',
      'Mint Freeze',
      '--probability',
      '0.1',
      '--impacts',
      'USDT=0.8',
      '--severity',
      '4',
    );
    expect(added).toMatchObject({ name: 'Mint Freeze', asset_impacts: { USDT: 0.8 }, enabled: true });
    expect(await run('scenarios', 'disable', 'Mint Freeze')).toMatchObject({ enabled: false });
    const list = await run('scenarios', 'list');
    expect((list.scenarios as { name: string }[]).map((x) => x.name)).toContain('Mint Freeze');
    const q = await run('quote', 'DAI', '250000', '--days', '60');
    expect(q).toMatchObject({ asset: 'DAI', amount: 250_000, days: 60 });
    expect(typeof q.premium).toBe('number');
    expect(typeof q.rate).toBe('number');
  });

  it('bad usage raises UsageError (exit code 2)', async () => {
    await expect(run('quote', 'USDC', 'lots')).rejects.toBeInstanceOf(UsageError);
    // a typo is not quoted at the default rate
    await expect(run('quote', 'USDX', '1000')).rejects.toThrow(/unknown asset "USDX"/);
    await expect(run('risk', 'var', '--sims', '-3')).rejects.toBeInstanceOf(UsageError);
  });
});
