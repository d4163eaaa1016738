import type { Queryable } from '../store/db.ts';

/** One question or execution of a user's chat, as stored in `chat.history`. */
export interface ChatHistoryEntry {
  id: number;
  user: string;
  action: 'query' | 'execute';
  question: string | null;
  sql: string | null;
  explanation: string | null;
  endpoint: string | null;
  row_count: number | null;
  refused: string | null;
  created_at: string;
}

export type NewHistoryEntry = Omit<ChatHistoryEntry, 'id' | 'created_at'>;

export async function recordHistory(db: Queryable, e: NewHistoryEntry): Promise<number> {
  const res = await db.query<{ id: string | number }>(
    `INSERT INTO chat.history (user_name, action, question, sql, explanation, endpoint, row_count, refused)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [e.user, e.action, e.question, e.sql, e.explanation, e.endpoint, e.row_count, e.refused],
  );
  return Number(res.rows[0]?.id ?? 0);
}

/** A user's history, newest first. */
export async function listHistory(db: Queryable, user: string, limit = 50): Promise<ChatHistoryEntry[]> {
  const res = await db.query<
    Omit<ChatHistoryEntry, 'user' | 'created_at'> & { user_name: string; created_at: Date | string }
  >(
    `SELECT id, user_name, action, question, sql, explanation, endpoint, row_count, refused, created_at
     FROM chat.history WHERE user_name = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [user, limit],
  );
  return res.rows.map(({ user_name, created_at, ...r }) => ({
    ...r,
    id: Number(r.id),
    user: user_name,
    created_at: created_at instanceof Date ? created_at.toISOString() : String(created_at),
  }));
}
