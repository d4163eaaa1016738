// The worker thread of the embedded chat executor (see pglite.ts): its own PGlite opened on a copy of the
// store, running one request at a time in a READ ONLY transaction. A statement here blocks only this
// thread; the owner ends it with `worker.terminate()` at the time limit. Plain JavaScript so a new worker
// starts without a TypeScript loader; the messages are typed in pglite.ts (WorkerRequest, WorkerReply).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

// The result parsers of src/store/type-parsers.ts (int8 and numeric as numbers, date and timestamp as
// UTC), repeated here because this file loads without TypeScript; test/chat covers that rows read alike.
const asNumber = (text) => Number(text);
const asNumbers = (text) => {
  const inner = text.slice(text.indexOf('{') + 1, text.lastIndexOf('}')).trim();
  if (inner === '') return [];
  return inner.split(',').map((part) => {
    const v = part.trim().replaceAll('"', '');
    return v.toUpperCase() === 'NULL' ? null : Number(v);
  });
};
const PARSERS = {
  20: asNumber,
  1700: asNumber,
  1016: asNumbers,
  1231: asNumbers,
  1082: (text) => new Date(`${text}T00:00:00Z`),
  1114: (text) => new Date(`${text.replace(' ', 'T')}Z`),
};
const OPTIONS = { parsers: PARSERS };

const { snapshot, wasmModule, fsBundle } = workerData;
const post = (m) => parentPort?.postMessage(m);

async function start() {
  const shared = {
    ...(wasmModule ? { pgliteWasmModule: wasmModule } : {}),
    ...(fsBundle ? { fsBundle: new Blob([fsBundle]) } : {}),
  };
  return snapshot.kind === 'dir'
    ? PGlite.create({ ...shared, dataDir: snapshot.path })
    : PGlite.create({ ...shared, loadDataDir: new Blob([snapshot.data]) });
}

async function serve(pg, req) {
  try {
    await pg.exec('BEGIN READ ONLY');
    const results = [];
    try {
      for (const s of req.statements) results.push((await pg.query(s, [], OPTIONS)).rows);
    } finally {
      await pg.exec('ROLLBACK');
    }
    post({ type: 'result', id: req.id, results });
  } catch (err) {
    const code = typeof err?.code === 'string' ? err.code : undefined;
    post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err), code });
  }
}

try {
  const pg = await start();
  parentPort?.on('message', (req) => void serve(pg, req));
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
