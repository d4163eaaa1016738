import { appendAudit } from '../audit/chain.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { Queryable } from '../store/db.ts';
import { BASE_ENV, type ParamState, readState, sameState, writeState } from './environments.ts';
import { insertAudit } from './repo.ts';
import type { JsonValue } from './types.ts';

/**
 * Numbered config versions. Every applied change set (one or more parameters, one reason) becomes one
 * version holding each touched parameter's state before and after, so the state at any version can be
 * rebuilt from the current one: walking back, a parameter's value at version V is the `old_state` of the
 * first change to it after V (or its current value when nothing changed it since).
 */

type VersionKind = 'change' | 'rollback' | 'promote' | 'canary';

export interface VersionMeta {
  kind: VersionKind;
  /** Namespace written (`production` = base). */
  env: string;
  who: string;
  reason: string;
  clientIp?: string | null;
  rolledBackTo?: number | null;
}

/** One parameter's change within a version. */
interface VersionChange {
  env: string;
  category: string;
  key: string;
  old_state: ParamState | null;
  new_state: ParamState | null;
}

export interface Version {
  id: number;
  at: string;
  who: string;
  reason: string;
  kind: VersionKind;
  env: string;
  rolled_back_to: number | null;
  client_ip: string | null;
  changes: VersionChange[];
  /** Ids of the `config.audit_log` rows written with it (only on the version just committed). */
  audit_ids?: number[];
}

/** A write asked for: the parameter's new state in `env` (`null` removes it). */
export interface PlannedChange {
  env: string;
  category: string;
  key: string;
  state: ParamState | null;
}

/** Advisory-lock key for numbering versions ("cfgv"); taken before the audit chain's, never after. */
const VERSION_LOCK = 0x63666776;

/**
 * Applies `planned` in the caller's transaction as one new version: locks, reads each current state,
 * writes the ones that differ, records the version, its changes, one `config.audit_log` row per change
 * and one audit-chain entry. Returns null (and writes nothing) when nothing differs.
 */
export async function commitVersion(
  tx: Queryable,
  meta: VersionMeta,
  planned: readonly PlannedChange[],
): Promise<Version | null> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [VERSION_LOCK]);
  const changes: VersionChange[] = [];
  for (const p of planned) {
    const old = await readState(tx, p.env, p.category, p.key);
    if (sameState(old, p.state)) continue;
    await writeState(tx, p.env, p.category, p.key, p.state, meta.who);
    changes.push({ env: p.env, category: p.category, key: p.key, old_state: old, new_state: p.state });
  }
  if (changes.length === 0) return null;
  const next = await tx.query<{ id: string | number; at: Date | string }>(
    `INSERT INTO config.versions (id, who, reason, kind, env, rolled_back_to, client_ip)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5, $6 FROM config.versions RETURNING id, at`,
    [meta.who, meta.reason, meta.kind, meta.env, meta.rolledBackTo ?? null, meta.clientIp ?? null],
  );
  const row = next.rows[0];
  if (!row) throw new Error('config.versions insert returned no row');
  const id = Number(row.id);
  const auditIds: number[] = [];
  for (const c of changes) {
    await tx.query(
      `INSERT INTO config.version_changes (version_id, env, category, key, old_state, new_state)
       VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)`,
      [id, c.env, c.category, c.key, stateParam(c.old_state), stateParam(c.new_state)],
    );
    const auditId = await insertAudit(tx, {
      who: meta.who,
      action: c.old_state === null ? 'create' : c.new_state === null ? 'delete' : 'update',
      category: c.category,
      key: c.key,
      old_value: c.old_state?.value ?? null,
      new_value: c.new_state?.value ?? null,
      reason: meta.reason,
      client_ip: meta.clientIp ?? null,
      dry_run: false,
      applied: true,
    });
    auditIds.push(auditId);
  }
  await appendAudit(tx, {
    kind: 'config',
    actor: meta.who,
    action: meta.kind,
    subject: `version ${id}`,
    detail: {
      version: id,
      env: meta.env,
      reason: meta.reason,
      client_ip: meta.clientIp ?? null,
      rolled_back_to: meta.rolledBackTo ?? null,
      changes,
    },
  });
  return {
    id,
    at: iso(row.at),
    who: meta.who,
    reason: meta.reason,
    kind: meta.kind,
    env: meta.env,
    rolled_back_to: meta.rolledBackTo ?? null,
    client_ip: meta.clientIp ?? null,
    changes,
    audit_ids: auditIds,
  };
}

function stateParam(s: ParamState | null): string | null {
  return s === null ? null : JSON.stringify(s);
}

function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

interface VersionRow {
  id: string | number;
  at: Date | string;
  who: string;
  reason: string;
  kind: VersionKind;
  env: string;
  rolled_back_to: string | number | null;
  client_ip: string | null;
}

interface ChangeRow {
  version_id: string | number;
  env: string;
  category: string;
  key: string;
  old_state: ParamState | null;
  new_state: ParamState | null;
}

export interface HistoryFilter {
  category?: string;
  key?: string;
  /** Newest first, at most this many. @defaultValue 50 */
  limit?: number;
}

/** Versions newest first (with their changes), optionally only those touching one parameter. */
export async function selectVersions(q: Queryable, f: HistoryFilter = {}): Promise<Version[]> {
  const params: unknown[] = [];
  let where = '';
  if (f.category !== undefined) {
    params.push(f.category);
    const cond = [`c.category = $${params.length}`];
    if (f.key !== undefined) {
      params.push(f.key);
      cond.push(`c.key = $${params.length}`);
    }
    where = `WHERE id IN (SELECT c.version_id FROM config.version_changes c WHERE ${cond.join(' AND ')})`;
  }
  params.push(f.limit ?? 50);
  const vs = await q.query<VersionRow>(
    `SELECT id, at, who, reason, kind, env, rolled_back_to, client_ip FROM config.versions ${where}
      ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  if (vs.rows.length === 0) return [];
  const ids = vs.rows.map((r) => Number(r.id));
  const cs = await q.query<ChangeRow>(
    `SELECT version_id, env, category, key, old_state, new_state FROM config.version_changes
      WHERE version_id = ANY($1::bigint[]) ORDER BY version_id, category, key`,
    [ids],
  );
  const byVersion = new Map<number, VersionChange[]>();
  for (const c of cs.rows) {
    const id = Number(c.version_id);
    let list = byVersion.get(id);
    if (!list) {
      list = [];
      byVersion.set(id, list);
    }
    list.push({
      env: c.env,
      category: c.category,
      key: c.key,
      old_state: c.old_state,
      new_state: c.new_state,
    });
  }
  return vs.rows.map((r) => ({
    id: Number(r.id),
    at: iso(r.at),
    who: r.who,
    reason: r.reason,
    kind: r.kind,
    env: r.env,
    rolled_back_to: r.rolled_back_to === null ? null : Number(r.rolled_back_to),
    client_ip: r.client_ip,
    changes: byVersion.get(Number(r.id)) ?? [],
  }));
}

async function latestVersion(q: Queryable): Promise<number> {
  const res = await q.query<{ id: string | number | null }>('SELECT max(id) AS id FROM config.versions');
  return Number(res.rows[0]?.id ?? 0);
}

/** Checks `v` names a version (0 = before the first one). */
async function checkVersion(q: Queryable, v: number, what = 'version'): Promise<void> {
  if (!Number.isInteger(v) || v < 0)
    throw new ValidationError(`${what} must be a whole number ≥ 0, got ${v}`);
  const latest = await latestVersion(q);
  if (v > latest) throw new NotFoundError(`no config version ${v} (latest is ${latest})`);
}

/** One parameter that differs between two versions. */
export interface DiffEntry {
  env: string;
  category: string;
  key: string;
  /** Value at the first version (null: absent). */
  from: JsonValue | null;
  to: JsonValue | null;
  from_state: ParamState | null;
  to_state: ParamState | null;
}

/**
 * State of every parameter changed after version `since`, at versions `a` and `b` (both ≥ `since`):
 * for each, the `old_state` of its first change after the version, else its current state.
 */
async function statesAt(
  q: Queryable,
  since: number,
  at: readonly number[],
): Promise<Map<string, { env: string; category: string; key: string; states: Array<ParamState | null> }>> {
  const cs = await q.query<ChangeRow>(
    `SELECT version_id, env, category, key, old_state, new_state FROM config.version_changes
      WHERE version_id > $1 ORDER BY version_id`,
    [since],
  );
  const out = new Map<
    string,
    { env: string; category: string; key: string; states: Array<ParamState | null>; done: boolean[] }
  >();
  for (const c of cs.rows) {
    const name = `${c.env}\u0000${c.category}\u0000${c.key}`;
    let e = out.get(name);
    if (!e) {
      e = {
        env: c.env,
        category: c.category,
        key: c.key,
        states: at.map(() => null),
        done: at.map(() => false),
      };
      out.set(name, e);
    }
    const vid = Number(c.version_id);
    for (let i = 0; i < at.length; i++) {
      const v = at[i] ?? 0;
      if (!e.done[i] && vid > v) {
        e.states[i] = c.old_state;
        e.done[i] = true;
      }
    }
  }
  for (const e of out.values()) {
    if (e.done.every(Boolean)) continue;
    const current = await readCurrent(q, e.env, e.category, e.key);
    for (let i = 0; i < at.length; i++) if (!e.done[i]) e.states[i] = current;
  }
  return out;
}

async function readCurrent(
  q: Queryable,
  env: string,
  category: string,
  key: string,
): Promise<ParamState | null> {
  if (env === BASE_ENV) {
    const res = await q.query<{
      value_type: ParamState['value_type'];
      value: JsonValue;
      description: string;
      validation: ParamState['validation'];
    }>(
      'SELECT value_type, value, description, validation FROM config.parameters WHERE category = $1 AND key = $2',
      [category, key],
    );
    const r = res.rows[0];
    return r
      ? {
          value: r.value,
          value_type: r.value_type,
          description: r.description,
          validation: r.validation ?? {},
        }
      : null;
  }
  const res = await q.query<{ value: JsonValue }>(
    'SELECT value FROM config.env_values WHERE env = $1 AND category = $2 AND key = $3',
    [env, category, key],
  );
  const r = res.rows[0];
  return r ? { value: r.value } : null;
}

/** What differs between versions `a` and `b` (either order), by parameter. */
export async function diffVersions(q: Queryable, a: number, b: number): Promise<DiffEntry[]> {
  await checkVersion(q, a, 'V1');
  await checkVersion(q, b, 'V2');
  const states = await statesAt(q, Math.min(a, b), [a, b]);
  const out: DiffEntry[] = [];
  for (const e of states.values()) {
    const [sa, sb] = [e.states[0] ?? null, e.states[1] ?? null];
    if (sameState(sa, sb)) continue;
    out.push({
      env: e.env,
      category: e.category,
      key: e.key,
      from: sa?.value ?? null,
      to: sb?.value ?? null,
      from_state: sa,
      to_state: sb,
    });
  }
  return out.sort((x, y) =>
    `${x.env}.${x.category}.${x.key}`.localeCompare(`${y.env}.${y.category}.${y.key}`),
  );
}

/** The writes that bring every parameter changed after version `v` back to its state at `v`. */
export async function rollbackPlan(q: Queryable, v: number): Promise<PlannedChange[]> {
  await checkVersion(q, v);
  const states = await statesAt(q, v, [v]);
  return [...states.values()].map((e) => ({
    env: e.env,
    category: e.category,
    key: e.key,
    state: e.states[0] ?? null,
  }));
}
