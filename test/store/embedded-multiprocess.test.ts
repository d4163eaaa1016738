import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath, type StoreLock } from '../../src/store/lock.ts';
import { openStore, type Store } from '../../src/store/open.ts';

/**
 * Embedded multi-process access (DESIGN.md "One embedded store, many processes"): a real child process
 * owns the PGlite store and serves it; this test process comes in as a client, then kills the owner with
 * SIGKILL and takes the stale lock over.
 */

const CHILD = join(import.meta.dirname, 'embedded-owner-child.ts');
const run = promisify(execFile);

type ChildMessage = {
  ready?: boolean;
  mode?: string;
  pid?: number;
  socket?: { url: string };
  rows?: Record<string, unknown>[];
  event?: string;
  notified?: boolean;
  closed?: boolean;
  error?: string;
};

class Child {
  readonly messages: ChildMessage[] = [];
  readonly #waiters: { test: (m: ChildMessage) => boolean; resolve: (m: ChildMessage) => void }[] = [];
  readonly proc: ChildProcessWithoutNullStreams;
  stderr = '';

  constructor(home: string) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, home], { stdio: 'pipe' });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as ChildMessage;
      this.messages.push(msg);
      const i = this.#waiters.findIndex((w) => w.test(msg));
      if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(msg);
    });
  }

  next(test: (m: ChildMessage) => boolean, what: string, ms = 20_000): Promise<ChildMessage> {
    const seen = this.messages.find(test);
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child: no ${what} within ${ms} ms; stderr: ${this.stderr}`)),
        ms,
      );
      this.#waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          this.messages.splice(this.messages.indexOf(m), 1);
          resolve(m);
        },
      });
    });
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'query', sql, params })}\n`);
    const reply = await this.next((m) => m.rows !== undefined || m.error !== undefined, 'query reply');
    if (reply.error) throw new Error(reply.error);
    return reply.rows ?? [];
  }

  send(msg: unknown): void {
    this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
  }
}

describe('embedded store shared by two processes', () => {
  let home: string;
  let owner: Child;
  let ownerInfo: ChildMessage;
  let client: Store;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mp-multi-'));
    owner = new Child(home);
    ownerInfo = await owner.next((m) => m.ready === true, 'ready line', 60_000);
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    if (owner.proc.exitCode === null) owner.proc.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('the first process owns the store and publishes its socket in the lock file', () => {
    expect(ownerInfo.mode).toBe('embedded-owner');
    const lock = JSON.parse(readFileSync(lockPath(home), 'utf8')) as StoreLock;
    expect(lock.pid).toBe(ownerInfo.pid);
    expect(lock.host).toBe('127.0.0.1');
    expect(lock.port).toBeGreaterThan(0);
    expect(Date.parse(lock.started_at)).not.toBeNaN();
  });

  it('a second process comes in as embedded-client; its writes are visible to the owner and back', async () => {
    client = await openStore({ home });
    expect(client.mode).toBe('embedded-client');
    expect(client.migrations.applied).toEqual([]);
    const ins = await client.db.query<{ id: number }>(
      `INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('MPX', 'equity', 'Multi') RETURNING id`,
    );
    const id = ins.rows[0]?.id;
    const start = Date.parse('2024-01-01T00:00:00Z');
    const rows = Array.from({ length: 250 }, (_, i) => [
      id,
      '1d',
      new Date(start + i * 86_400_000),
      1,
      2,
      0.5,
      i,
      10,
      'test',
    ]);
    const copied = await client.db.copyRows(
      'market_data.bars',
      ['instrument_id', 'interval', 'ts', 'open', 'high', 'low', 'close', 'volume', 'source'],
      rows,
    );
    expect(copied).toBe(250);
    const seen = await owner.query(
      `SELECT count(*)::int AS n, max(close) AS last FROM market_data.bars b
         JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'MPX'`,
    );
    expect(seen).toEqual([{ n: 250, last: 249 }]);
    await owner.query(`UPDATE market_data.instruments SET name = 'Renamed by owner' WHERE symbol = 'MPX'`);
    const back = await client.db.query<{ name: string }>(
      `SELECT name FROM market_data.instruments WHERE symbol = 'MPX'`,
    );
    expect(back.rows).toEqual([{ name: 'Renamed by owner' }]);
  });

  it("keeps a client's transaction to itself until it commits, and drops it on rollback", async () => {
    await expect(
      client.db.transaction(async (tx) => {
        await tx.query(`UPDATE market_data.instruments SET name = 'uncommitted' WHERE symbol = 'MPX'`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await owner.query(`SELECT name FROM market_data.instruments WHERE symbol = 'MPX'`)).toEqual([
      { name: 'Renamed by owner' },
    ]);
    // The owner's query issued while the client's transaction is open waits for the commit.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const tx = client.db.transaction(async (t) => {
      await t.query(`UPDATE market_data.instruments SET name = 'in tx' WHERE symbol = 'MPX'`);
      await held;
    });
    await new Promise((r) => setTimeout(r, 100));
    let ownerDone = false;
    const ownerRead = owner
      .query(`SELECT name FROM market_data.instruments WHERE symbol = 'MPX'`)
      .finally(() => {
        ownerDone = true;
      });
    await new Promise((r) => setTimeout(r, 300));
    // Without the session gate the owner's SELECT would run inside the client's open transaction.
    expect(ownerDone).toBe(false);
    release();
    await tx;
    expect(await ownerRead).toEqual([{ name: 'in tx' }]);
  });

  it('carries NOTIFY both ways between the processes', async () => {
    owner.send({ cmd: 'notify', channel: 'mp_multi_back', payload: 'unused' });
    await owner.next((m) => m.notified === true, 'notify ack');
    await client.db.notify('mp_multi', JSON.stringify({ type: 'data_ready', ts: '2024-01-01T00:00:00Z' }));
    const ev = await owner.next((m) => m.event !== undefined, 'notification in the owner', 5_000);
    expect(JSON.parse(ev.event ?? '')).toEqual({ type: 'data_ready', ts: '2024-01-01T00:00:00Z' });
    owner.send({ cmd: 'notify', channel: 'mp_multi', payload: 'to myself' });
    expect((await owner.next((m) => m.event !== undefined, 'own notification', 5_000)).event).toBe(
      'to myself',
    );

    const got = new Promise<string>((resolve) => {
      void client.db.listen('mp_multi_back', resolve);
    });
    await new Promise((r) => setTimeout(r, 100));
    owner.send({ cmd: 'notify', channel: 'mp_multi_back', payload: 'hello client' });
    expect(await got).toBe('hello client');
  });

  it('psql connects to the owner socket', async () => {
    const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => existsSync(p));
    expect(psql, 'psql is installed on this machine').toBeDefined();
    const { stdout } = await run(psql ?? 'psql', [
      ownerInfo.socket?.url ?? '',
      '-Atc',
      "SELECT count(*) FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'MPX'",
    ]);
    expect(stdout.trim()).toBe('250');
  });

  it('after the owner is killed (SIGKILL), the next open takes over the stale lock with the data intact', async () => {
    await client.close();
    owner.proc.kill('SIGKILL');
    await new Promise((r) => owner.proc.once('exit', r));
    expect(existsSync(lockPath(home))).toBe(true);
    const next = await openStore({ home });
    try {
      expect(next.mode).toBe('embedded-owner');
      const lock = JSON.parse(readFileSync(lockPath(home), 'utf8')) as StoreLock;
      expect(lock.pid).toBe(process.pid);
      const r = await next.db.query<{ n: number }>('SELECT count(*)::int AS n FROM market_data.bars');
      expect(r.rows).toEqual([{ n: 250 }]);
    } finally {
      await next.close();
    }
    expect(existsSync(lockPath(home))).toBe(false);
  });
});

describe('two processes starting the embedded store at the same time', () => {
  it('one becomes the owner, the other its client', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mp-race-'));
    const a = new Child(home);
    const b = new Child(home);
    try {
      const [ra, rb] = await Promise.all([
        a.next((m) => m.ready === true, 'ready line', 60_000),
        b.next((m) => m.ready === true, 'ready line', 60_000),
      ]);
      expect([ra.mode, rb.mode].sort()).toEqual(['embedded-client', 'embedded-owner']);
      const [ownerChild, clientChild] = ra.mode === 'embedded-owner' ? [a, b] : [b, a];
      await clientChild.query(
        `INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('RACE', 'crypto', 'r')`,
      );
      expect(
        await ownerChild.query(`SELECT symbol FROM market_data.instruments WHERE symbol = 'RACE'`),
      ).toEqual([{ symbol: 'RACE' }]);
      clientChild.send({ cmd: 'close' });
      await clientChild.next((m) => m.closed === true, 'client close');
      ownerChild.send({ cmd: 'close' });
      await ownerChild.next((m) => m.closed === true, 'owner close');
      expect(existsSync(lockPath(home))).toBe(false);
    } finally {
      for (const c of [a, b]) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('a client process killed inside a transaction', () => {
  it('has its transaction rolled back and the session freed for the owner', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mp-crash-'));
    const owner = await openStore({ home });
    const child = new Child(home);
    try {
      expect(owner.mode).toBe('embedded-owner');
      const ready = await child.next((m) => m.ready === true, 'ready line', 60_000);
      expect(ready.mode).toBe('embedded-client');
      // The child's only connection stays inside this transaction.
      await child.query('BEGIN');
      await child.query(
        `INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('GHOST', 'fx', 'g')`,
      );
      child.proc.kill('SIGKILL');
      await new Promise((r) => child.proc.once('exit', r));
      const r = await owner.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM market_data.instruments WHERE symbol = 'GHOST'`,
      );
      expect(r.rows).toEqual([{ n: 0 }]);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
      await owner.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});
