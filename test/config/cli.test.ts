import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtKey, verifyToken } from '../../src/api/auth.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { openStore } from '../../src/store/open.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';
import { runMain, spawnCli } from '../support/cli.ts';
import { eventually } from './eventually.ts';

const SECRET = 'cli-secret-0123456789abcdef-0123456789';

const run = (...argv: string[]) => runMain(argv, { JWT_SECRET: SECRET });

describe('marketpipe token create', () => {
  it('prints the token alone, valid for the role and lifetime asked', async () => {
    const r = await run('token', 'create', '--user', 'alice', '--role', 'viewer', '--ttl', '2h');
    expect(r.code).toBe(0);
    const token = r.out.trim();
    expect(token.split('.')).toHaveLength(3);
    const claims = await verifyToken(token, jwtKey(SECRET));
    expect(claims).toMatchObject({ user: 'alice', role: 'viewer' });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(7100);
    const json = await run('--json', 'token', 'create', '--user', 'bob', '--role', 'admin');
    expect(Object.keys(JSON.parse(json.out))).toEqual(['token']);
  });

  it('exits 2 on a bad role or ttl', async () => {
    const role = await run('token', 'create', '--user', 'a', '--role', 'root');
    expect([role.code, role.err.trim()]).toEqual([
      2,
      'marketpipe: --role must be admin or viewer, got "root"',
    ]);
    expect((await run('token', 'create', '--user', 'a', '--role', 'admin', '--ttl', 'soon')).code).toBe(2);
  });
});

const postgres = BACKENDS.find((b) => b.name === 'postgres');

describe('marketpipe config on PostgreSQL', () => {
  let ts: TestStore;
  let server: ConfigStore;

  beforeAll(async () => {
    if (!postgres) throw new Error('the postgres backend is not configured');
    ts = await postgres.open();
    // a listening store stands in for a running `marketpipe serve`
    server = await ConfigStore.open({ db: await ts.other() });
  });
  afterAll(async () => {
    await server?.close();
    await ts?.drop();
  });

  const db = () => ['--db', ts.url ?? ''];

  it('set: validated, audited with the user and reason, and seen by a running server within a second', async () => {
    const r = await run(
      ...db(),
      '--json',
      'config',
      'set',
      'pricing.base_rate_USDC',
      '0.05',
      '--reason',
      'drill',
      '--user',
      'carol',
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ old_value: 0.04, new_value: 0.05, applied: true });
    await eventually(
      () => server.getFloat('pricing', 'base_rate_USDC') === 0.05,
      1000,
      'the server to see the CLI change',
    );
    const audit = await run(...db(), '--json', 'config', 'audit', '--limit', '1');
    expect(JSON.parse(audit.out).entries[0]).toMatchObject({
      who: 'carol',
      reason: 'drill',
      client_ip: null,
    });
  });

  it('set refuses what the API refuses, with the same message', async () => {
    const r = await run(...db(), 'config', 'set', 'pricing.base_rate_USDC', 'not_a_number', '--reason', 'x');
    expect([r.code, r.err.trim()]).toEqual([
      1,
      'marketpipe: pricing.base_rate_USDC must be a float, got "not_a_number"',
    ]);
    const json = await run(...db(), 'config', 'set', 'schedules.cleanup.enabled', '{bad', '--reason', 'x');
    expect(json.err).toContain('schedules.cleanup.enabled must be JSON');
  });

  it('get, list and a dry run', async () => {
    const get = await run(...db(), '--json', 'config', 'get', 'tranches', 'SURE_EQT.curve_type');
    expect(JSON.parse(get.out)).toMatchObject({ value: 'Exponential', value_type: 'string' });
    const list = await run(...db(), '--json', 'config', 'list', '--category', 'risk');
    expect(JSON.parse(list.out).parameters.map((p: { key: string }) => p.key)).toContain(
      'monte_carlo_simulations',
    );
    const dry = await run(
      ...db(),
      'config',
      'set',
      'risk.monte_carlo_simulations',
      '20000',
      '--reason',
      'x',
      '--dry-run',
    );
    expect(dry.out.trim()).toBe('dry run, nothing changed: risk.monte_carlo_simulations: 10000 → 20000');
    expect(server.getInt('risk', 'monte_carlo_simulations')).toBe(10_000);
  });
});

describe('marketpipe config on the embedded store (another process)', () => {
  it('a change made by a CLI process reaches the owning process through the store socket', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mp-config-'));
    const owner = await openStore({ home });
    const server = await ConfigStore.open({ db: owner.db });
    try {
      expect(owner.mode).toBe('embedded-owner');
      const set = ['config', 'set', 'pricing.base_rate_DAI', '0.055', '--reason', 'embedded'];
      const { code, stdout, stderr } = await spawnCli(['--home', home, ...set]).done;
      expect(code, stderr).toBe(0);
      expect(stdout.trim()).toBe('pricing.base_rate_DAI: 0.05 → 0.055');
      await eventually(
        () => server.getFloat('pricing', 'base_rate_DAI') === 0.055,
        1000,
        'the owner to see the change',
      );
    } finally {
      await server.close();
      await owner.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000); // creating an on-disk embedded store takes seconds
});
