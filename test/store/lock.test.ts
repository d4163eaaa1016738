import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLock,
  isProcessAlive,
  lockPath,
  readLock,
  removeOwnLockSync,
  removeStaleLock,
  type StoreLock,
  updateLock,
} from '../../src/store/lock.ts';

const home = mkdtempSync(join(tmpdir(), 'mp-lock-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const lock = (pid: number, port: number | null = null): StoreLock => ({
  pid,
  host: '127.0.0.1',
  port,
  events_port: port === null ? null : port + 1,
  started_at: '2024-01-01T00:00:00.000Z',
});

describe('store lock file', () => {
  it('is created by one process only, updated atomically and removed only by its owner', async () => {
    const path = lockPath(home);
    expect(await readLock(path)).toEqual({ state: 'absent' });
    expect(await createLock(path, lock(process.pid))).toBe(true);
    expect(await createLock(path, lock(process.pid))).toBe(false);
    await updateLock(path, lock(process.pid, 5555));
    const read = await readLock(path);
    expect(read.state === 'held' && read.lock.port).toBe(5555);
    removeOwnLockSync(path, process.pid + 1);
    expect(existsSync(path)).toBe(true);
    removeOwnLockSync(path);
    expect(existsSync(path)).toBe(false);
  });

  it('reports half-written content as invalid', async () => {
    const path = join(home, 'half.lock');
    writeFileSync(path, '{"pid": 12');
    expect((await readLock(path)).state).toBe('invalid');
  });

  it('knows live from dead processes', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    // Above the kernel's default pid_max (4194304 on 64-bit Linux), so no process has it.
    expect(isProcessAlive(4_194_305)).toBe(false);
  });

  it('removes a stale lock, but puts back a fresh one that replaced it meanwhile', async () => {
    const path = join(home, 'stale.lock');
    const stale = JSON.stringify(lock(4_194_305));
    writeFileSync(path, stale);
    expect(await removeStaleLock(path, stale)).toBe(true);
    expect(existsSync(path)).toBe(false);
    const fresh = JSON.stringify(lock(process.pid, 6000));
    writeFileSync(path, fresh);
    expect(await removeStaleLock(path, stale)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(fresh);
  });
});
