import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The lock file `$MARKETPIPE_HOME/db.lock` says which process owns the embedded store and where it serves
 * it. Created with O_EXCL so one process wins; written first without an address ("starting") and again
 * with it once the socket listens. A lock whose process is gone is stale and is taken over.
 */
export interface StoreLock {
  pid: number;
  host: string;
  /** Postgres socket port; null while the owner is still starting. */
  port: number | null;
  /** Event relay port (notifications to client processes); null while starting. */
  events_port: number | null;
  started_at: string;
}

const LOCK_FILE = 'db.lock';

export function lockPath(home: string): string {
  return join(home, LOCK_FILE);
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return typeof err === 'object' && err !== null && 'code' in err && err.code === 'EPERM';
  }
}

export type LockRead =
  | { state: 'absent' }
  | { state: 'invalid'; raw: string }
  | { state: 'held'; lock: StoreLock; raw: string };

function isStoreLock(v: unknown): v is StoreLock {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.started_at === 'string';
}

export async function readLock(path: string): Promise<LockRead> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT')
      return { state: 'absent' };
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isStoreLock(parsed)) return { state: 'held', lock: parsed, raw };
  } catch {
    // half-written or foreign content: reported as invalid
  }
  return { state: 'invalid', raw };
}

/** Creates the lock if nobody holds it. Returns false when it already exists. */
export async function createLock(path: string, lock: StoreLock): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(lock));
  } finally {
    await handle.close();
  }
  return true;
}

/** Rewrites our own lock atomically (temp file + rename), e.g. to publish the port. */
export async function updateLock(path: string, lock: StoreLock): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(lock));
  await rename(tmp, path);
}

/**
 * Removes a stale lock whose content is still `staleRaw`. The lock is renamed away first (atomic); if
 * what was renamed is not the stale content (another process took over in between), it is put back.
 * Returns true when the stale lock is gone.
 */
export async function removeStaleLock(path: string, staleRaw: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return true;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleRaw) {
    // Somebody else's fresh lock: restore it unless yet another lock appeared meanwhile.
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

/** Removes the lock if it is still ours. Synchronous so it can run from a process 'exit' handler. */
export function removeOwnLockSync(path: string, pid = process.pid): void {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (isStoreLock(parsed) && parsed.pid === pid) unlinkSync(path);
  } catch {
    // absent or unreadable: nothing of ours to remove
  }
}
