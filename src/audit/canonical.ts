import { createHash } from 'node:crypto';

/**
 * The canonical form an audit entry is hashed over: JSON with object keys sorted at every depth and no
 * whitespace, so the same entry always gives the same bytes whichever driver or jsonb key order read it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `prev_hash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an entry that its hash covers (everything but the hash itself). */
export interface ChainedFields {
  seq: number;
  /** ISO-8601 UTC with milliseconds. */
  at: string;
  kind: string;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
  prev_hash: string;
}

/** SHA-256 (hex) of an entry's canonical form; it includes the previous entry's hash, hence the chain. */
export function entryHash(e: ChainedFields): string {
  return sha256Hex(
    canonicalJson({
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      detail: e.detail,
      prev_hash: e.prev_hash,
    }),
  );
}
