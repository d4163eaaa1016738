import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { type SmtpSink, startSmtpSink } from '../reports/smtp-sink.ts';
import { spawnCli } from '../support/cli.ts';
import { CANNED, type FakeLlm, startFakeLlm } from './fake-llm.ts';
import { seedBars } from './seed.ts';

const cli = (args: string[], env: Record<string, string>) =>
  spawnCli(args, { ...env, DATABASE_URL: '', LOG_LEVEL: 'error' }, 120_000).done;

describe('marketpipe ask and report (real CLI process, embedded store)', () => {
  let home: string;
  let llm: FakeLlm;
  let smtp: SmtpSink;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mp-chat-cli-'));
    const db = await openPglite({ dataDir: join(home, 'db') });
    await migrate(db);
    await seedBars(db, Date.parse('2026-06-01T00:00:00Z'));
    await db.close();
    llm = await startFakeLlm(CANNED);
    smtp = await startSmtpSink();
    env = { MARKETPIPE_HOME: home, LLM_BASE_URL: llm.url, LLM_LOCAL_BASE_URL: '' };
  }, 120_000);

  afterAll(async () => {
    await llm?.close();
    await smtp?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('ask --execute --json prints {sql, explanation, columns, rows}', async () => {
    const r = await cli(['ask', 'Average close per symbol', '--execute', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      sql: string;
      explanation: string;
      columns: string[];
      rows: unknown[];
    };
    expect(out.sql).toMatch(/^SELECT i\.symbol, avg\(b\.close\)/);
    expect(out.explanation).toBe('Mean daily close by symbol.');
    expect(out.columns).toEqual(['symbol', 'avg_close']);
    expect(out.rows).toHaveLength(6);
  }, 120_000);

  it('a refused query exits 1 with the reason on one line', async () => {
    const r = await cli(['ask', 'Delete the old bars please', '--execute'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /DELETE changes data; only one read-only SELECT is allowed/,
    );
  }, 120_000);

  it('report eod --email reaches the loopback SMTP server with its PDF', async () => {
    const r = await cli(['report', 'eod', '--date', '2026-05-29', '--email', '--json'], {
      ...env,
      SMTP_URL: smtp.url,
      REPORT_RECIPIENTS: 'desk@example.test',
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      kind: string;
      email: { accepted: string[] };
      files: { pdf: string };
    };
    expect(out).toMatchObject({
      kind: 'eod',
      date: '2026-05-29',
      email: { accepted: ['desk@example.test'] },
    });
    const mail = smtp.messages.at(-1)?.mail;
    expect(mail?.subject).toBe('[marketpipe] EOD report 2026-05-29');
    expect(mail?.attachments[0]?.contentType).toBe('application/pdf');
  }, 120_000);
});
