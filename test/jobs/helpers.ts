import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PubSub } from '../../src/cache/index.ts';
import { createLogger } from '../../src/core/log.ts';
import { type CountingDb, countingDb } from '../../src/jobs/testing.ts';
import { loadSettings, type Settings } from '../../src/settings.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';

export interface Captured {
  channel: string;
  message: Record<string, unknown>;
}

/** A PubSub that keeps what is published (the events are what the tests look at). */
export function capturePubSub(): PubSub & { messages: Captured[] } {
  const messages: Captured[] = [];
  return {
    messages,
    async publish(channel, message) {
      messages.push({ channel, message: { ...message } });
    },
    async subscribe() {
      return async () => undefined;
    },
    async close() {},
  };
}

export function testSettings(extra: Record<string, string> = {}): Settings {
  const home = mkdtempSync(join(tmpdir(), 'mp-jobs-'));
  return loadSettings({ MARKETPIPE_HOME: home, USE_MOCK_DATA: 'true', LOG_LEVEL: 'silent', ...extra }, home);
}

export const silentLog = createLogger('silent');

export async function jobsDb(): Promise<CountingDb> {
  const db = await openPglite();
  await migrate(db);
  return countingDb(db);
}

export interface RunRow {
  job: string;
  run_key: string;
  status: string;
  attempt: number;
  trigger: string;
  error: string | null;
  worker: string | null;
}

export async function runs(db: { query: CountingDb['query'] }, job?: string): Promise<RunRow[]> {
  const r = await db.query<RunRow>(
    `SELECT job, run_key, status, attempt, trigger, error, worker FROM ops.job_runs
      ${job ? 'WHERE job = $1' : ''} ORDER BY id`,
    job ? [job] : [],
  );
  return r.rows;
}
