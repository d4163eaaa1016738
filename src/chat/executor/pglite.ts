import { mkdtempSync } from 'node:fs';
import { cp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UnavailableError } from '../../core/errors.ts';
import type { Db, DbSnapshot } from '../../store/db.ts';
import { QueryTimeoutError } from '../errors.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import type { ChatExecutor, ChatLimits, ChatRun, RowsCheck } from './types.ts';

/** What pglite-worker.mjs is sent. */
interface WorkerRequest {
  id: number;
  statements: string[];
}

/** What pglite-worker.mjs answers. */
type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; results: Record<string, unknown>[][] }
  | { type: 'error'; id: number; message: string; code?: string };

/** PGlite's WASM compiled once per process and its file bundle read once: each new worker skips both. */
interface PgliteAssets {
  wasmModule: WebAssembly.Module;
  fsBundle: ArrayBuffer;
}
let assets: Promise<PgliteAssets | null> | null = null;
function pgliteAssets(): Promise<PgliteAssets | null> {
  assets ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [wasm, data] = await Promise.all([
      readFile(join(dist, 'pglite.wasm')),
      readFile(join(dist, 'pglite.data')),
    ]);
    const fsBundle = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    return { wasmModule: await WebAssembly.compile(wasm), fsBundle };
  })().catch(() => null); // the worker then loads them itself
  return assets;
}

export interface PgliteExecutorOptions {
  /**
   * A worker's copy of the store is replaced when older than this (at its next use), ms. Answers say how
   * old their data is (`as_of`). @defaultValue 60000
   */
  snapshotMaxAgeMs?: number;
  /** How long a new worker may take to open its copy, ms. @defaultValue 60000 */
  startTimeoutMs?: number;
}

const ENTRY = new URL('./pglite-worker.mjs', import.meta.url);

/** One worker thread with its own PGlite on its own copy of the store. */
class Slot {
  busy = false;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: unknown[][]) => void; reject: (e: Error) => void }
  >();
  private dead: Error | null = null;
  readonly ready: Promise<void>;

  constructor(
    readonly worker: Worker,
    readonly asOf: Date,
    readonly dir: string | null,
    startTimeoutMs: number,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`chat worker did not start in ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      timer.unref();
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`chat worker could not open the store copy: ${m.message}`));
        } else this.settle(m);
      });
      const fail = (err: Error): void => {
        clearTimeout(timer);
        this.dead ??= err;
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`chat worker exited (${code})`)));
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.dead === null;
  }

  private settle(m: Extract<WorkerReply, { id: number }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.results);
    else p.reject(Object.assign(new Error(m.message), { code: m.code }));
  }

  request(statements: readonly string[]): Promise<Record<string, unknown>[][]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown[][]) => void, reject });
      const req: WorkerRequest = { id, statements: [...statements] };
      this.worker.postMessage(req);
    });
  }
}

/**
 * Chat on the embedded store. PGlite runs WASM synchronously on the thread that owns it, so a statement
 * there cannot be interrupted and holds the whole process (the API, SIGTERM). Chat statements therefore
 * run in worker threads, each with its own PGlite opened on a copy of the store (`Db.snapshot`); at the
 * time limit the worker is terminated (V8 stops the WASM) and a new one takes its place on next use. The
 * serving store is never blocked by a chat statement; answers carry the copy's time as `as_of`.
 */
export function pgliteExecutor(db: Db, opts: PgliteExecutorOptions = {}): ChatExecutor {
  const snapshotOf = db.snapshot?.bind(db);
  if (!snapshotOf) throw new Error('pgliteExecutor needs an embedded store');
  const takeSnapshot: (dir: string) => Promise<DbSnapshot> = snapshotOf;
  const maxAgeMs = opts.snapshotMaxAgeMs ?? 60_000;
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const limiter = new ConcurrencyLimiter();
  const slots = new Set<Slot>();
  let base: string | null = null;
  let made = 0;
  let closed = false;
  /** The newest copy of the store; each worker gets its own copy of it (PGlite writes to its files). */
  let golden: { at: Date; snap: Promise<DbSnapshot> } | null = null;

  const baseDir = (): string => {
    base ??= mkdtempSync(join(tmpdir(), 'marketpipe-chat-'));
    return base;
  };

  async function copyFor(dir: string): Promise<{ snap: DbSnapshot; at: Date }> {
    if (!golden || Date.now() - golden.at.getTime() > maxAgeMs) {
      const old = golden;
      golden = { at: new Date(), snap: takeSnapshot(join(baseDir(), `snap${made++}`)) };
      golden.snap.catch(() => undefined);
      const stale = await old?.snap.catch(() => null);
      if (stale?.kind === 'dir')
        await rm(stale.path, { recursive: true, force: true }).catch(() => undefined);
    }
    const { at, snap } = golden;
    const s = await snap.catch((err: unknown) => {
      golden = null;
      throw err;
    });
    if (s.kind === 'tar') return { at, snap: { kind: 'tar', data: s.data.slice(0) } };
    await cp(s.path, dir, { recursive: true });
    return { at, snap: { kind: 'dir', path: dir } };
  }

  async function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    await slot.worker.terminate().catch(() => undefined);
    if (slot.dir) await rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  async function newSlot(): Promise<Slot> {
    const dir = join(baseDir(), `w${made++}`);
    const [{ snap, at }, shared] = await Promise.all([copyFor(dir), pgliteAssets()]);
    const transfer: ArrayBuffer[] = snap.kind === 'tar' ? [snap.data] : [];
    const worker = new Worker(ENTRY, {
      workerData: { snapshot: snap, wasmModule: shared?.wasmModule, fsBundle: shared?.fsBundle },
      transferList: transfer,
    });
    // an idle worker must not keep the process alive
    worker.unref();
    const slot = new Slot(worker, at, snap.kind === 'dir' ? dir : null, startTimeoutMs);
    slots.add(slot);
    if (closed) await retire(slot);
    return slot;
  }

  /** After a kill, a replacement starts at once so the next query does not wait for it. */
  function replace(): void {
    if (closed) return;
    newSlot().catch(() => undefined);
  }

  async function idleSlot(): Promise<Slot> {
    for (const s of slots) {
      if (s.busy) continue;
      if (s.alive && Date.now() - s.asOf.getTime() <= maxAgeMs) {
        s.busy = true;
        return s;
      }
      await retire(s);
    }
    const s = await newSlot();
    s.busy = true;
    return s;
  }

  return {
    kind: 'pglite-worker',
    async run(statements: readonly string[], limits: ChatLimits, check?: RowsCheck): Promise<ChatRun> {
      if (closed) throw new Error('chat executor is closed');
      const release = limiter.acquire(limits.maxConcurrent);
      let slot: Slot | null = null;
      try {
        slot = await idleSlot();
        await slot.ready;
        const current = slot;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new QueryTimeoutError(
                `query stopped after ${limits.timeoutMs} ms (chat.timeout_ms); narrow it with filters or aggregates`,
              ),
            );
          }, limits.timeoutMs);
        });
        try {
          const all = async (): Promise<Record<string, unknown>[][]> => {
            const out: Record<string, unknown>[][] = [];
            for (const [i, s] of statements.entries()) {
              const [rows = []] = await current.request([s]);
              check?.(i, rows);
              out.push(rows);
            }
            return out;
          };
          const results = await Promise.race([all(), timeout]);
          return { results, as_of: current.asOf.toISOString() };
        } catch (err) {
          // the worker may still be inside the statement: end it, a fresh copy serves the next run
          if (err instanceof QueryTimeoutError || !current.alive) {
            slot = null;
            // terminating takes a moment; the caller gets the timeout now
            void retire(current);
            replace();
          }
          throw err;
        } finally {
          clearTimeout(timer);
        }
      } catch (err) {
        if (slot && !slot.alive) {
          const s = slot;
          slot = null;
          await retire(s);
        }
        if (closed && !(err instanceof QueryTimeoutError))
          throw new UnavailableError('chat query stopped: the server is shutting down', { cause: err });
        throw err;
      } finally {
        if (slot) slot.busy = false;
        release();
      }
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...slots].map(retire));
      golden = null;
      if (base) await rm(base, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
