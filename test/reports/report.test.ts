import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { DEFAULT_JOBS } from '../../src/jobs/registry.ts';
import type { JobContext } from '../../src/jobs/types.ts';
import { runReport } from '../../src/reports/run.ts';
import { computeSignals } from '../../src/reports/signals.ts';
import { getReportDocument, listReportDocuments } from '../../src/reports/store.ts';
import { runDailyRisk } from '../../src/risk/service.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { saveReport } from '../../src/store/repos/risk.ts';
import { upsertDefinition } from '../../src/store/repos/strategies.ts';
import { startFakeLlm } from '../chat/fake-llm.ts';
import { seedBars } from '../chat/seed.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';

const DATE = '2026-06-01';
const NOW = Date.parse(`${DATE}T23:00:00Z`);

describe('strategy signals from the numbers', () => {
  const days = Array.from({ length: 40 }, (_, i) => Date.UTC(2026, 0, 1) + i * 86_400_000);
  it('ma-crossover: a fresh crossing up is a BUY with the SMAs in the reasoning', () => {
    // flat at 100 for 39 days, then a jump: SMA10 rises above SMA30 on the last bar only
    const close = [...Array.from({ length: 39 }, () => 100), 130];
    const { signals } = computeSignals(
      [{ name: 'ma-crossover', kind: 'builtin', params: { fast: 10, slow: 30 } }],
      [{ symbol: 'X', asset_class: 'crypto', name: 'X', ts: days, close }],
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ action: 'buy', stance: 'long' });
    // SMA10 = (9×100 + 130)/10 = 103, SMA30 = (29×100 + 130)/30 = 101
    expect(signals[0]?.reasoning).toMatch(/SMA10 \(103\.00\) crossed above SMA30 \(101\.00\)/);
  });
  it('mean-reversion RSI: a steady fall is oversold, a BUY', () => {
    const close = Array.from({ length: 40 }, (_, i) => 100 - i);
    const { signals } = computeSignals(
      [
        {
          name: 'mean-reversion',
          kind: 'builtin',
          params: { mode: 'rsi', period: 14, lower: 30, upper: 70 },
        },
      ],
      [{ symbol: 'X', asset_class: 'crypto', name: 'X', ts: days, close }],
    );
    // only losses: RSI = 0 (Wilder)
    expect(signals[0]).toMatchObject({ action: 'buy', indicators: { rsi_14: 0 } });
    expect(signals[0]?.reasoning).toMatch(/RSI14 at 0\.0 is below 30: oversold/);
  });
  it('multi-asset strategies are listed as not evaluated', () => {
    const r = computeSignals([{ name: 'pair-trade', kind: 'builtin', params: {} }], []);
    expect(r.skipped).toEqual([{ strategy: 'pair-trade', reason: expect.stringMatching(/multi-asset/) }]);
  });
});

describe('EOD report: built, stored, written, and emailed to a loopback SMTP server', () => {
  let db: Db;
  let smtp: SmtpSink;
  let home: string;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedBars(db, NOW, 200);
    await upsertDefinition(db, { name: 'ma-crossover', kind: 'builtin', params: { fast: 5, slow: 20 } });
    await upsertDefinition(db, { name: 'mean-reversion', kind: 'builtin', params: { mode: 'bollinger' } });
    await saveReport(
      db,
      '2026-05-31',
      'default',
      {
        var: { var_95: 12_345, var_99: 23_456, cvar_95: 30_000 },
        summary: { capital: 1_000_000, ltv: 0.42 },
        alerts: [{ level: 'high', message: 'VaR 95 is 25 % above its 30-day average' }],
      },
      '<html></html>',
    );
    await db.query(
      `INSERT INTO ops.quarantine (symbol, interval, source, rule, reason, raw) VALUES ('BTC', '1d', 'test', 'ohlc_consistency', 'high < low', '{}')`,
    );
    smtp = await startSmtpSink();
    home = mkdtempSync(join(tmpdir(), 'mp-reports-'));
  }, 60_000);

  afterAll(async () => {
    await smtp?.close();
    await db?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('arrives with recipients, subject, HTML body and the PDF attached', async () => {
    const out = await runReport(db, {
      kind: 'eod',
      date: DATE,
      home,
      email: true,
      smtp: { url: smtp.url, recipients: ['desk@example.test', 'risk@example.test'] },
      generatedAt: new Date(NOW),
    });
    const r = out.report;
    expect(r.market.map((m) => m.asset_class)).toEqual(['crypto', 'equity', 'etf', 'fx', 'stablecoin']);
    expect(r.instruments).toHaveLength(6);
    expect(r.signals.some((s) => s.strategy === 'ma-crossover')).toBe(true);
    expect(r.signals.every((s) => s.reasoning.length > 20)).toBe(true);
    expect(r.risk).toMatchObject({
      date: '2026-05-31',
      var_95: 12_345,
      ltv: 0.42,
      note: 'the newest risk report is from 2026-05-31',
    });
    expect(r.quality.quarantined_by_rule).toEqual({ ohlc_consistency: 1 });
    expect(out.email?.accepted).toEqual(['desk@example.test', 'risk@example.test']);

    expect(smtp.messages).toHaveLength(1);
    const { envelopeTo, mail } = smtp.messages[0] ?? { envelopeTo: [], mail: undefined };
    expect(envelopeTo).toEqual(['desk@example.test', 'risk@example.test']);
    expect(mail?.subject).toBe('[marketpipe] EOD report 2026-06-01');
    const html = String(mail?.html);
    expect(html).toContain('marketpipe end-of-day report 2026-06-01');
    expect(html).toContain('Market summary by asset class');
    expect(html).toContain('<svg');
    expect(html).toContain('VaR 95 is 25 % above its 30-day average');
    expect(mail?.attachments).toHaveLength(1);
    const pdf = mail?.attachments[0];
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.filename).toBe('eod_report_2026-06-01.pdf');
    expect(pdf?.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf?.content.equals(readFileSync(out.files.pdf))).toBe(true);
  });

  it('writes the files and stores the report', async () => {
    expect(existsSync(join(home, 'reports', 'eod_report_2026-06-01.html'))).toBe(true);
    const list = await listReportDocuments(db);
    expect(list).toMatchObject([
      { kind: 'eod', date: DATE, emailed_to: ['desk@example.test', 'risk@example.test'] },
    ]);
    const doc = await getReportDocument(db, 'eod', DATE);
    expect(doc?.html).toContain('<svg');
  });

  it('SOD sees only data before the day starts', async () => {
    const out = await runReport(db, { kind: 'sod', date: DATE, home });
    for (const m of out.report.instruments)
      expect(Date.parse(m.ts)).toBeLessThan(Date.parse(`${DATE}T00:00:00Z`));
    expect(out.email).toBeUndefined();
  });

  it('refuses to email without SMTP_URL, saying so', async () => {
    await expect(
      runReport(db, { kind: 'eod', date: DATE, home, email: true, smtp: { recipients: ['a@b.c'] } }),
    ).rejects.toThrow(/SMTP_URL is not set/);
  });

  it('the report_eod job stores the report and emails it when SMTP is configured', async () => {
    const job = DEFAULT_JOBS.get('report_eod');
    expect(job?.schedule).toMatchObject({ cron: '30 17 * * 1-5', timezone: 'America/New_York' });
    const before = smtp.messages.length;
    const ctx = {
      db,
      settings: { home, smtpUrl: smtp.url, reportRecipients: ['desk@example.test'] },
      tick: NOW,
    } as unknown as JobContext;
    const result = await job?.handler(ctx, job.payload(NOW));
    expect(result).toMatchObject({ records: 1, date: DATE, emailed_to: ['desk@example.test'] });
    expect(smtp.messages.length).toBe(before + 1);
    expect(smtp.messages.at(-1)?.envelopeTo).toEqual(['desk@example.test']);
  });

  it('adds a narrative from the local model only, and survives its failure', async () => {
    const llm = await startFakeLlm({});
    try {
      const out = await runReport(db, {
        kind: 'eod',
        date: DATE,
        home,
        narrative: { kind: 'local', baseUrl: llm.url, model: 'local-model' },
      });
      // the fake model answers unknown prompts with its default JSON; any text becomes the narrative
      expect(out.report.narrative).toContain('unknown_question');
      expect(llm.requests[0]?.system).toMatch(/short note that opens a market report/);
      expect(llm.requests[0]?.question).toContain(out.report.headline);
      const html = await getReportDocument(db, 'eod', DATE);
      expect(html?.html).toContain('id="narrative"');
    } finally {
      await llm.close();
    }
    const down = await runReport(db, {
      kind: 'eod',
      date: DATE,
      home,
      narrative: { kind: 'local', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' },
    });
    expect(down.report.narrative).toBeNull();
    expect(down.report.narrative_error).toMatch(/the local model at 127\.0\.0\.1:9 failed/);
  });

  it('SOD right after `risk report` shows that report, not "no risk report stored yet"', async () => {
    const day = '2026-06-03';
    await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: day,
      simulations: 2000,
      seed: 1,
    });
    const out = await runReport(db, { kind: 'sod', date: day, home });
    expect(out.report.risk).toMatchObject({ date: day, note: null });
    expect(out.report.risk.var_95).toBeGreaterThan(0);
    // The VaR's method, horizon and scaling travel with it into the report.
    expect(out.report.risk.var_conventions).toMatchObject({
      horizon_unit: 'calendar_days',
      scaling: 'sqrt_time',
    });
    expect(out.report.risk.var_method).toMatch(/horizon 30 calendar days .*√t/);
    expect(readFileSync(out.files.html, 'utf8')).toContain('calendar days');
  });
});
