import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { openStore } from '../../src/store/open.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';
import { runMain, spawnCli } from '../support/cli.ts';
import { eventually } from './eventually.ts';

const postgres = BACKENDS.find((b) => b.name === 'postgres');

describe('marketpipe config versions and audit on PostgreSQL', () => {
  let ts: TestStore;
  let server: ConfigStore;
  let staging: ConfigStore;
  const db = () => ['--db', ts.url ?? ''];
  const run = (...argv: string[]) => runMain([...db(), ...argv]);
  const json = async (...argv: string[]) => {
    const r = await run('--json', ...argv);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out);
  };

  beforeAll(async () => {
    if (!postgres) throw new Error('the postgres backend is not configured');
    ts = await postgres.open();
    // listening stores stand in for running `marketpipe serve` processes (production, and serve-2 in staging)
    server = await ConfigStore.open({ db: await ts.other() });
    staging = await ConfigStore.open({ db: await ts.other(), env: 'staging', processName: 'serve-2' });
  });
  afterAll(async () => {
    await server?.close();
    await staging?.close();
    await ts?.drop();
  });

  it('stage, canary, promote, roll back, verify: the operator story of issue 24', async () => {
    // 1. stage in staging (MARKETPIPE_ENV=staging)
    const staged = await runMain(
      [
        ...db(),
        '--json',
        'config',
        'apply',
        'pricing.base_rate_USDC=0.045',
        'risk.var_horizon_days=20',
        '--reason',
        'stage',
      ],
      { MARKETPIPE_ENV: 'staging' },
    );
    expect(staged.code, staged.err).toBe(0);
    expect(JSON.parse(staged.out).version).toMatchObject({ id: 1, env: 'staging' });
    await eventually(
      () => staging.getFloat('pricing', 'base_rate_USDC') === 0.045,
      1000,
      'staging to see it',
    );
    expect(server.getFloat('pricing', 'base_rate_USDC')).toBe(0.04);

    // 2. canary on one production process
    const canary = await json(
      'config',
      'set',
      'pricing.base_rate_USDT',
      '0.07',
      '--canary',
      'serve-9',
      '--reason',
      'canary',
    );
    expect(canary).toMatchObject({ target: { process: 'serve-9' }, status: 'active' });
    const status = await json('config', 'canary', 'status');
    expect(status.canaries[0].report.quotes[0]).toMatchObject({ asset: 'USDT' });
    expect(status.canaries[0].report.quotes[0].new_premium).toBeGreaterThan(
      status.canaries[0].report.quotes[0].old_premium,
    );
    expect(
      (await json('config', 'canary', 'promote', String(canary.id), '--reason', 'fine')).version.id,
    ).toBe(2);
    await eventually(
      () => server.getFloat('pricing', 'base_rate_USDT') === 0.07,
      1000,
      'the promoted canary',
    );

    // 3. promote staging to production
    const promoted = await json('config', 'promote', '--from', 'staging', '--to', 'production');
    expect(promoted.version).toMatchObject({ id: 3, kind: 'promote', env: 'production' });
    await eventually(() => server.getInt('risk', 'var_horizon_days') === 20, 1000, 'the promotion');

    // history and diff
    const hist = await json('config', 'history', 'pricing.base_rate_USDC');
    expect(hist.versions.map((v: { id: number }) => v.id)).toEqual([3, 1]);
    const diff = await json('config', 'diff', '2', '3');
    expect(
      diff.changes.map((d: { key: string; from: unknown; to: unknown }) => [d.key, d.from, d.to]),
    ).toEqual([
      ['base_rate_USDC', 0.04, 0.045],
      ['var_horizon_days', 30, 20],
    ]);
    const human = await run('config', 'diff', '2', '3');
    expect(human.out).toContain('pricing.base_rate_USDC');

    // 4. roll back in one command; a running server has the old values within a second
    const t0 = performance.now();
    const rb = await json('config', 'rollback', '--to', '2', '--reason', 'regression');
    expect(rb.version).toMatchObject({ id: 4, kind: 'rollback', rolled_back_to: 2 });
    await eventually(
      () =>
        server.getFloat('pricing', 'base_rate_USDC') === 0.04 &&
        server.getInt('risk', 'var_horizon_days') === 30,
      1000,
      'the rollback to reach the server',
    );
    expect(performance.now() - t0).toBeLessThan(1500);

    // 5. prove the trail: verify, export
    const verified = await json('audit', 'verify');
    expect(verified).toMatchObject({ ok: true });
    expect(verified.entries).toBeGreaterThanOrEqual(6);
    const out = join(mkdtempSync(join(tmpdir(), 'mp-audit-')), 'audit.csv');
    const exp = await json(
      'audit',
      'export',
      '--from',
      '2000-01-01',
      '--to',
      '2999-01-01',
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(exp).toMatchObject({ entries: verified.entries, head_hash: verified.head_hash });
    expect(readFileSync(out, 'utf8').trim().split('\n').at(-1)).toBe(
      `# head_hash=${verified.head_hash} head_seq=${verified.entries}`,
    );
  });

  it('bad usage exits 2, unknown versions exit 1 with one line', async () => {
    expect((await run('config', 'diff', 'one', '2')).code).toBe(2);
    expect((await run('audit', 'export', '--format', 'xml')).code).toBe(2);
    const missing = await run('config', 'rollback', '--to', '999', '--reason', 'x');
    expect([missing.code, missing.err.trim()]).toEqual([
      1,
      'marketpipe: no config version 999 (latest is 4)',
    ]);
    expect(
      (await run('config', 'set', 'pricing.base_rate_USDC', '0.05', '--reason', 'x', '--canary', 'a b')).code,
    ).toBe(2);
  });

  it('audit verify fails and names the first bad entry after a superuser edits a row', async () => {
    await ts.db.exec(`ALTER TABLE config.audit_chain DISABLE TRIGGER audit_chain_append_only;
      UPDATE config.audit_chain SET actor = 'mallory' WHERE seq = 3;
      ALTER TABLE config.audit_chain ENABLE TRIGGER audit_chain_append_only;`);
    const r = await run('--json', 'audit', 'verify');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, entries: 3, first_bad_id: 3 });
    expect(r.err.trim()).toBe(
      'marketpipe: audit chain broken at entry 3: hash does not match the entry (edited)',
    );
  });
});

describe('marketpipe config rollback on the embedded store (another process)', () => {
  it('a rollback made by a CLI process reaches the owning process within a second', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mp-config-rb-'));
    const owner = await openStore({ home });
    const server = await ConfigStore.open({ db: owner.db });
    try {
      const set = ['config', 'set', 'pricing.base_rate_DAI', '0.055', '--reason', 'embedded'];
      const first = await spawnCli(['--home', home, ...set]).done;
      expect(first.code, first.stderr).toBe(0);
      await eventually(() => server.getFloat('pricing', 'base_rate_DAI') === 0.055, 1000, 'the change');
      const rb = await spawnCli(['--home', home, 'config', 'rollback', '--to', '0', '--reason', 'undo']).done;
      expect(rb.code, rb.stderr).toBe(0);
      expect(rb.stdout).toContain('rollback to 0');
      // counted from the CLI's exit: its start-up is not part of the propagation
      await eventually(
        () => server.getFloat('pricing', 'base_rate_DAI') === 0.05,
        1000,
        'the rollback to reach the owner',
      );
    } finally {
      await server.close();
      await owner.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
