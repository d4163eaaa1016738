/**
 * Every date parameter of every route (query, path and body, found in the OpenAPI document — not a hand
 * list): an impossible calendar date and a reversed range answer 400 `{error, message}`, never a 500 or an
 * empty 200. Through `app.inject()` on a migrated PGlite store, admin routes included (with a token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { isDateProperty, RANGE_PAIRS } from '../../src/api/routes/date-params.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';

const SECRET = 'date-sweep-secret-0123456789abcdef0123';

interface Schema {
  type?: unknown;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Param {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Target {
  method: string;
  path: string;
  where: 'query' | 'path' | 'body';
  fields: string[];
  op: Operation;
}

/** A value that passes a parameter's own schema, for the parameters a request must carry. */
function sample(name: string, s: Schema): string | number | boolean | string[] {
  if (s.enum?.length) return s.enum[0] as string;
  if (isDateProperty(name, s)) return '2024-01-02';
  if (s.type === 'integer' || s.type === 'number') return Math.max(1, s.minimum ?? 1);
  if (s.type === 'boolean') return false;
  if (s.type === 'array') return ['BTC'];
  return name === 'strategy' ? 'buy-and-hold' : 'BTC';
}

let db: Db;
let app: ReturnType<typeof buildApp>;
let auth: Record<string, string>;
const targets: Target[] = [];

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  const config = await ConfigStore.open({ db, live: false });
  app = buildApp({
    cache: new MemoryCache(),
    db,
    config,
    settings: { jwtSecret: SECRET, corsOrigins: [], apiKeys: [] },
  });
  await app.ready();
  auth = { authorization: `Bearer ${await createToken({ secret: SECRET, user: 'sweep', role: 'admin' })}` };
  const doc = (await app.inject({ url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      for (const where of ['query', 'path'] as const) {
        const fields = params
          .filter((p) => p.in === where && isDateProperty(p.name, p.schema))
          .map((p) => p.name);
        if (fields.length) targets.push({ method, path, where, fields, op });
      }
      const body = op.requestBody?.content?.['application/json']?.schema;
      const bodyFields = Object.entries(body?.properties ?? {})
        .filter(([n, s]) => isDateProperty(n, s))
        .map(([n]) => n);
      if (bodyFields.length) targets.push({ method, path, where: 'body', fields: bodyFields, op });
    }
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Sends `values` for the target's fields, every other required parameter filled with a valid value. */
async function send(t: Target, values: Record<string, string>) {
  const params = t.op.parameters ?? [];
  let url = t.path;
  for (const p of params.filter((x) => x.in === 'path')) {
    const v = t.where === 'path' && p.name in values ? values[p.name] : String(sample(p.name, p.schema));
    url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
  }
  const query = new URLSearchParams();
  for (const p of params.filter((x) => x.in === 'query' && x.required))
    query.set(p.name, String(sample(p.name, p.schema)));
  if (t.where === 'query') for (const [k, v] of Object.entries(values)) query.set(k, v);
  const body = t.op.requestBody?.content?.['application/json']?.schema;
  let payload: Record<string, unknown> | undefined;
  if (body !== undefined) {
    payload = {};
    for (const r of body.required ?? []) payload[r] = sample(r, body.properties?.[r] ?? {});
    if (t.where === 'body') Object.assign(payload, values);
  }
  const qs = query.toString();
  return app.inject({
    method: t.method.toUpperCase() as 'GET',
    url: qs ? `${url}?${qs}` : url,
    headers: auth,
    ...(payload === undefined ? {} : { payload }),
  });
}

describe('date parameters of every route', () => {
  it('finds the routes with dates, the three the issue names among them', () => {
    const paths = new Set(targets.map((t) => t.path));
    for (const p of ['/api/economic/{series}', '/api/events', '/api/reports/{kind}/{date}'])
      expect(paths).toContain(p);
    expect(targets.length).toBeGreaterThanOrEqual(8);
  });

  it('an impossible calendar date answers 400 {error, message} on every route and field', async () => {
    const failures: string[] = [];
    for (const t of targets) {
      for (const field of t.fields) {
        for (const bad of ['2024-02-30', '2024-13-01', '2023-02-29']) {
          const res = await send(t, { [field]: bad });
          const body = res.json() as Record<string, unknown>;
          const ok =
            res.statusCode === 400 &&
            Object.keys(body).sort().join(',') === 'error,message' &&
            String(body.message).includes(bad);
          if (!ok)
            failures.push(
              `${t.method.toUpperCase()} ${t.path} ${field}=${bad}: ${res.statusCode} ${res.body.slice(0, 120)}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a reversed range answers 400 naming both ends, on every route with one', async () => {
    const failures: string[] = [];
    let ranges = 0;
    for (const t of targets) {
      for (const [a, b] of RANGE_PAIRS) {
        if (!t.fields.includes(a) || !t.fields.includes(b)) continue;
        ranges++;
        const res = await send(t, { [a]: '2024-03-10', [b]: '2024-03-01' });
        const body = res.json() as Record<string, unknown>;
        if (res.statusCode !== 400 || !/reversed/.test(String(body.message)))
          failures.push(
            `${t.method.toUpperCase()} ${t.path} ${a}>${b}: ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
        // One day is a valid range (a bare `to` date includes that day).
        const same = await send(t, { [a]: '2024-03-01', [b]: '2024-03-01' });
        if (same.statusCode === 400 && /reversed/.test(same.body))
          failures.push(`${t.path}: one-day range refused`);
      }
    }
    expect(ranges).toBeGreaterThanOrEqual(3);
    expect(failures).toEqual([]);
  });
});
