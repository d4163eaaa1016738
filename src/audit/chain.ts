import { ensureDefined } from '../core/assert.ts';
import { ValidationError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import { type ChainedFields, entryHash, GENESIS_HASH } from './canonical.ts';

/**
 * The tamper-evident audit trail (`config.audit_chain`): append-only rows (a trigger refuses UPDATE,
 * DELETE and TRUNCATE), each carrying the SHA-256 of the previous one. Appends serialise on an advisory
 * lock held to the end of the appending transaction, so concurrent writers on any number of processes
 * extend one chain, and an entry commits or rolls back with the change it records.
 */

/** What is audited. Order and risk decisions use `order` / `risk` as they arrive. */
type AuditKind = 'config' | 'admin' | 'quarantine' | 'order' | 'risk';

export interface NewChainEntry {
  kind: AuditKind;
  /** Who acted: a user (`alice`, `cli:bob`) or a process (`job:cleanup`). */
  actor: string;
  /** What was done, e.g. `update`, `rollback`, `release`. */
  action: string;
  /** What it was done to, e.g. `pricing.base_rate_USDC`, `version 7`, `quarantine 12,13`. */
  subject: string;
  /** Anything else worth keeping (JSON). */
  detail?: unknown;
}

export interface ChainEntry extends ChainedFields {
  hash: string;
}

/** Advisory-lock key every appender takes: "audit" as a number, so unrelated locks do not collide. */
const AUDIT_LOCK = 0x61756469;

interface ChainRow {
  seq: string | number;
  at: Date | string;
  kind: string;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'seq, at, kind, actor, action, subject, detail, prev_hash, hash';

function toEntry(r: ChainRow): ChainEntry {
  return {
    seq: Number(r.seq),
    at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
    kind: r.kind,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    detail: r.detail,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * The call that takes the append lock, for a statement that takes it itself (e.g. only when the row it
 * inserts is new); then `chainEntries(tx, entries, { lockHeld: true })`.
 */
export const AUDIT_LOCK_CALL = `pg_advisory_xact_lock(${AUDIT_LOCK})`;

/**
 * Chains `entries`, in order, after the current head, holding the append lock of the caller's transaction
 * `tx` (taken here unless `lockHeld`), without storing them: the caller stores exactly these rows later in
 * the same transaction (`insertChained`). Every entry is timed `now`.
 */
export async function chainEntries(
  tx: Queryable,
  entries: readonly NewChainEntry[],
  opts: { now?: number; lockHeld?: boolean } = {},
): Promise<ChainEntry[]> {
  if (opts.lockHeld !== true) await tx.query(`SELECT ${AUDIT_LOCK_CALL}`);
  const last = await tx.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM config.audit_chain ORDER BY seq DESC LIMIT 1',
  );
  const head = last.rows[0];
  let seq = head ? Number(head.seq) : 0;
  let prevHash = head ? head.hash : GENESIS_HASH;
  const at = new Date(opts.now ?? Date.now()).toISOString();
  return entries.map((e) => {
    // A round trip through jsonb must not change what was hashed: hash what JSON would store.
    const detail: unknown = JSON.parse(JSON.stringify(e.detail ?? {}));
    seq++;
    const fields: ChainedFields = {
      seq,
      at,
      kind: e.kind,
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      detail,
      prev_hash: prevHash,
    };
    const hash = entryHash(fields);
    prevHash = hash;
    return { ...fields, hash };
  });
}

/** Stores entries chained by `chainEntries` in one statement. */
export async function insertChained(tx: Queryable, entries: readonly ChainEntry[]): Promise<void> {
  await tx.query(
    `INSERT INTO config.audit_chain (${COLUMNS})
     SELECT seq, at, kind, actor, action, subject, detail::jsonb, prev_hash, hash
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[]) AS e(seq, at, kind, actor, action, subject, detail, prev_hash, hash)`,
    [
      entries.map((e) => e.seq),
      entries.map((e) => e.at),
      entries.map((e) => e.kind),
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.subject),
      entries.map((e) => JSON.stringify(e.detail)),
      entries.map((e) => e.prev_hash),
      entries.map((e) => e.hash),
    ],
  );
}

/**
 * Appends one entry inside the caller's transaction `tx` (the lock is released at its commit or
 * rollback). Use `appendAuditNow` when there is no transaction to join.
 */
export async function appendAudit(tx: Queryable, e: NewChainEntry, now = Date.now()): Promise<ChainEntry> {
  const entry = ensureDefined((await chainEntries(tx, [e], { now }))[0], 'chained audit entry');
  await tx.query(
    `INSERT INTO config.audit_chain (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9)`,
    [
      entry.seq,
      entry.at,
      entry.kind,
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(entry.detail),
      entry.prev_hash,
      entry.hash,
    ],
  );
  return entry;
}

/** Appends one entry in a transaction of its own. */
export function appendAuditNow(db: Db, e: NewChainEntry): Promise<ChainEntry> {
  return db.transaction((tx) => appendAudit(tx, e));
}

export interface VerifyResult {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** Seq of the first entry that does not hold: its hash, its link to the previous one, or its number. */
  first_bad_id?: number;
  /** Why that entry does not hold. */
  problem?: string;
  /** Hash of the last entry (64 zeros for an empty chain). */
  head_hash: string;
}

/** Rows read per query while verifying. */
const PAGE = 5000;

/**
 * Walks the whole chain in `seq` order and recomputes every hash. An edited row no longer matches its
 * hash (or, when its hash was recomputed too, the next row's `prev_hash`); a deleted row leaves a gap in
 * `seq` and a broken link; swapped rows break links. Deleting the newest entries leaves a valid shorter
 * chain: compare `head_hash` with one exported earlier (`expectHead`) to catch that.
 */
export async function verifyChain(q: Queryable, expectHead?: string): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  let entries = 0;
  let after = 0;
  for (;;) {
    const res = await q.query<ChainRow>(
      `SELECT ${COLUMNS} FROM config.audit_chain WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
      [after],
    );
    for (const row of res.rows) {
      const e = toEntry(row);
      entries++;
      const bad = (problem: string): VerifyResult => ({
        ok: false,
        entries,
        first_bad_id: e.seq,
        problem,
        head_hash: prevHash,
      });
      if (e.seq !== expectSeq) return bad(`expected entry ${expectSeq}, found ${e.seq} (entries missing)`);
      if (e.prev_hash !== prevHash) return bad('prev_hash does not match the previous entry');
      if (entryHash(e) !== e.hash) return bad('hash does not match the entry (edited)');
      prevHash = e.hash;
      expectSeq++;
      after = e.seq;
    }
    if (res.rows.length < PAGE) break;
  }
  if (expectHead !== undefined && expectHead !== prevHash) {
    return {
      ok: false,
      entries,
      first_bad_id: entries + 1,
      problem: `head ${prevHash} is not the expected ${expectHead} (newest entries missing)`,
      head_hash: prevHash,
    };
  }
  return { ok: true, entries, head_hash: prevHash };
}

export interface ExportRange {
  /** ISO date or timestamp, inclusive. */
  from?: string;
  /** ISO date (whole day included) or timestamp, inclusive. */
  to?: string;
}

export interface ChainExport {
  entries: ChainEntry[];
  /** Hash of the newest entry of the whole chain when exported: what a later `verify --head` checks. */
  head_hash: string;
  head_seq: number;
}

function bound(text: string, what: string, endOfDay: boolean): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms))
    throw new ValidationError(`${what} must be a date (YYYY-MM-DD) or ISO time, got "${text}"`);
  return new Date(dateOnly && endOfDay ? ms + 86_400_000 - 1 : ms).toISOString();
}

/** Entries whose time falls in the range, oldest first, with the chain's current head. */
export async function exportChain(q: Queryable, range: ExportRange = {}): Promise<ChainExport> {
  const from = range.from ? bound(range.from, 'from', false) : '-infinity';
  const to = range.to ? bound(range.to, 'to', true) : 'infinity';
  const res = await q.query<ChainRow>(
    `SELECT ${COLUMNS} FROM config.audit_chain WHERE at >= $1::timestamptz AND at <= $2::timestamptz ORDER BY seq`,
    [from, to],
  );
  const head = await q.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM config.audit_chain ORDER BY seq DESC LIMIT 1',
  );
  const h = head.rows[0];
  return {
    entries: res.rows.map(toEntry),
    head_hash: h ? h.hash : GENESIS_HASH,
    head_seq: h ? Number(h.seq) : 0,
  };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'kind',
  'actor',
  'action',
  'subject',
  'detail',
  'prev_hash',
  'hash',
] as const;

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * The export as text: JSON Lines (one entry per line, then a `{"head_hash", "head_seq"}` line) or CSV
 * (a header, one row per entry with `detail` as JSON, then a `# head_hash=… head_seq=…` line).
 */
export function formatExport(x: ChainExport, format: 'jsonl' | 'csv'): string {
  if (format === 'jsonl') {
    const lines = x.entries.map((e) => JSON.stringify(e));
    lines.push(JSON.stringify({ head_hash: x.head_hash, head_seq: x.head_seq }));
    return `${lines.join('\n')}\n`;
  }
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of x.entries) {
    lines.push(
      CSV_COLUMNS.map((c) => csvCell(c === 'detail' ? JSON.stringify(e.detail) : String(e[c]))).join(','),
    );
  }
  lines.push(`# head_hash=${x.head_hash} head_seq=${x.head_seq}`);
  return `${lines.join('\n')}\n`;
}
