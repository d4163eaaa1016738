import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import { ConfigService } from '../../src/config/service.ts';
import { createLogger, type Logger } from '../../src/core/log.ts';
import { type AlertListeners, createAlertListeners } from '../../src/live/alerts/index.ts';
import { AlertNotifier } from '../../src/live/alerts/notifier.ts';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { eventually } from '../config/eventually.ts';
import { type SmtpSink, startSmtpSink } from '../reports/smtp-sink.ts';
import { runMain } from '../support/cli.ts';

/** A loopback webhook receiver (Slack-style incoming webhook: JSON POST, answers 200 "ok"). */
async function startWebhook(opts: { hang?: boolean } = {}) {
  const bodies: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => {
      text += String(c);
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      if (!opts.hang) res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Polls an async condition every 10 ms for up to 10 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > 10_000) throw new Error(`expected ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

class WsRecorder {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly at: number[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.messages.push(JSON.parse(String(raw)) as Record<string, unknown>);
      this.at.push(performance.now());
    });
  }
  ofType(type: string) {
    return this.messages.filter((m) => m.type === type);
  }
}

describe('depeg alerts end to end on PostgreSQL (store, depeg_alerts, /ws/alerts, webhook, email, CLI, API)', () => {
  let h: ApiHarness;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let smtp: SmtpSink;
  let live: AlertListeners;
  let ws: WsRecorder;

  beforeAll(async () => {
    h = await startApi({ store: 'postgres', pubsub: (db) => new PgPubSub(db) });
    webhook = await startWebhook();
    smtp = await startSmtpSink();
    // a one-second hold keeps the test short; written through the audited service, read back live
    await new ConfigService(h.db, h.deps.config).set('alerts', 'depeg_min_seconds', 1, {
      who: 'test',
      reason: 'short hold for the test',
    });
    live = await createAlertListeners({
      db: h.db,
      pubsub: h.deps.pubsub,
      config: h.deps.config,
      settings: {
        alertWebhookUrl: webhook.url,
        smtpUrl: smtp.url,
        alertRecipients: ['desk@example.test'],
      },
      log: createLogger('silent'),
      liveVarSimulations: 1000,
    });
    const socket = new WebSocket(`${h.server.url.replace('http', 'ws')}/ws/alerts`);
    ws = new WsRecorder(socket);
    await eventually(() => ws.ofType('ready').length === 1, 10_000, 'the /ws/alerts greeting');
  }, 60_000);

  afterAll(async () => {
    for (const l of live?.listeners ?? []) await l.close?.();
    ws?.ws.close();
    await webhook?.close();
    await smtp?.close();
    await h?.close();
    await h?.deps.pubsub?.close();
  });

  it('fires within 1 s of the hold after the crossing, once, on every channel', async () => {
    const [depeg] = live.listeners;
    const tick = (price: number) =>
      depeg?.onComposite({ symbol: 'USDC', price, ts: Date.now(), venues: ['coinbase', 'kraken'] });
    tick(1.0);
    const crossed = performance.now();
    tick(0.98); // 2 % under the peg; no further tick: the hold timer must fire on its own
    await eventually(() => ws.ofType('depeg_alert').length === 1, 10_000, 'depeg_alert on /ws/alerts');
    const late = (ws.at[ws.messages.findIndex((m) => m.type === 'depeg_alert')] ?? 0) - crossed;
    expect(late, 'pushed after the 1 s hold').toBeGreaterThanOrEqual(1000);
    expect(late, 'and within 1 s of it').toBeLessThan(2000);
    const pushed = ws.ofType('depeg_alert')[0]?.alert as Record<string, unknown>;
    expect(pushed).toMatchObject({
      type: 'depeg',
      asset: 'USDC',
      price: 0.98,
      threshold: 0.005,
      venues: ['coinbase', 'kraken'],
      state: 'open',
    });

    // more off-peg ticks: same episode, nothing new
    tick(0.97);
    tick(0.975);
    await eventually(() => webhook.bodies.length === 1, 10_000, 'the webhook POST');
    expect(webhook.bodies[0]).toMatchObject({ type: 'depeg_alert', alert: { id: pushed.id, asset: 'USDC' } });
    expect(String(webhook.bodies[0]?.text)).toMatch(/USDC depeg: composite 0\.9800 is 2\.00 % off/);
    await eventually(() => smtp.messages.length === 1, 10_000, 'the alert email');
    expect(smtp.messages[0]?.mail.subject).toBe('[marketpipe] USDC depeg alert');
    expect(smtp.messages[0]?.envelopeTo).toEqual(['desk@example.test']);

    // published first, stored just after: the row is there within moments
    const alertsApi = async () =>
      (await h.app.inject({ url: '/api/alerts?type=depeg&since=2020-01-01' })).json();
    await until(async () => (await alertsApi()).alerts.length === 1, 'the stored alert');
    const api = await h.app.inject({ url: '/api/alerts?type=depeg&since=2020-01-01' });
    expect(api.statusCode).toBe(200);
    expect(api.json().alerts).toHaveLength(1);
    expect(api.json().alerts[0]).toMatchObject({ ...pushed, details: { peg: 1, hold_seconds: 1 } });

    const cli = await runMain(['alerts', 'list', '--type', 'depeg', '--json', '--db', String(h.dbUrl)]);
    expect(cli.code, cli.err).toBe(0);
    const listed = JSON.parse(cli.out) as { alerts: Array<Record<string, unknown>> };
    expect(listed.alerts.map((a) => [a.id, a.asset, a.state, a.price])).toEqual([
      [pushed.id, 'USDC', 'open', 0.98],
    ]);

    // back inside for the hold: one recovery, the row updated
    tick(0.999);
    await eventually(() => ws.ofType('depeg_recovery').length === 1, 10_000, 'depeg_recovery');
    expect(ws.ofType('depeg_recovery')[0]?.alert).toMatchObject({ id: pushed.id, state: 'recovered' });
    await until(async () => (await alertsApi()).alerts[0]?.state === 'recovered', 'the stored recovery');
    const after = (await h.app.inject({ url: '/api/alerts' })).json().alerts;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: pushed.id, state: 'recovered', details: { worst_price: 0.97 } });
    await eventually(() => webhook.bodies.length === 2, 10_000, 'the recovery webhook');
    expect(ws.ofType('depeg_alert')).toHaveLength(1);
  });

  it('refuses a bad type or since with 400 (API) and exit 2 (CLI), naming the parameter', async () => {
    const badType = await h.app.inject({ url: '/api/alerts?type=flood' });
    expect(badType.statusCode).toBe(400);
    expect(badType.json()).toMatchObject({ error: 'invalid_input' });
    expect(badType.json().message).toMatch(
      /type: expected one of depeg, supply_drop, reconcile_mismatch, got "flood"/,
    );
    const badSince = await h.app.inject({ url: '/api/alerts?since=yesterdayish' });
    expect(badSince.statusCode).toBe(400);
    expect(badSince.json().message).toMatch(/since/);
    const cli = await runMain(['alerts', 'list', '--since', 'soon', '--json', '--db', String(h.dbUrl)]);
    expect(cli.code).toBe(2);
    expect(cli.err.trim().split('\n')).toHaveLength(1);
    expect(cli.err).toMatch(/--since: cannot read "soon"/);
  });

  it('publishes a throttled live VaR on risk_updates, pushed on /ws/alerts', async () => {
    const [, risk] = live.listeners;
    const tick = (symbol: string, price: number) =>
      risk?.onComposite({ symbol, price, ts: Date.now(), venues: ['binance'] });
    // the sample portfolio (samples/portfolio.json) covers USDC, USDT, DAI; the first tick is the
    // reference, a 2 % move (default threshold 1 %) triggers a recomputation
    tick('USDT', 1.0);
    tick('USDT', 0.98);
    await eventually(() => ws.ofType('risk_update').length === 1, 20_000, 'risk_update');
    const u = ws.ofType('risk_update')[0] ?? {};
    expect(u).toMatchObject({ portfolio: 'default', trigger: { symbol: 'USDT', price: 0.98, reference: 1 } });
    expect(u.var_95).toBeGreaterThan(0);
    expect(u.var_99).toBeGreaterThanOrEqual(Number(u.var_95));
    // another big move inside the 10 s throttle is held back, not published at once
    tick('USDT', 0.95);
    await new Promise((r) => setTimeout(r, 500));
    expect(ws.ofType('risk_update')).toHaveLength(1);
    expect(live.risk.runs).toBe(1);
  }, 30_000);
});

describe('alert delivery survives a hanging webhook', () => {
  it('gives the webhook up after its timeout; the alert is still stored and published', async () => {
    const h = await startApi({ store: 'postgres', seed: false, pubsub: (db) => new PgPubSub(db) });
    const hook = await startWebhook({ hang: true });
    const warnings: string[] = [];
    const log = {
      info: () => undefined,
      error: () => undefined,
      warn: (_o: object, msg?: string) => void warnings.push(String(msg)),
    } as unknown as Pick<Logger, 'info' | 'warn' | 'error'>;
    const got: unknown[] = [];
    const off = await h.deps.pubsub?.subscribe('depeg_alerts', (m) => got.push(m));
    try {
      const n = new AlertNotifier({
        db: h.db,
        pubsub: h.deps.pubsub,
        log,
        webhookUrl: hook.url,
        webhookTimeoutMs: 300,
      });
      const t = Date.now();
      n.handle({
        kind: 'depeg',
        asset: 'DAI',
        peg: 1,
        threshold: 0.005,
        holdSeconds: 5,
        at: t,
        crossedAt: t - 5000,
        price: 0.99,
        worst: 0.99,
        last: 0.99,
        venues: ['kraken'],
      });
      const started = performance.now();
      await n.flush();
      expect(performance.now() - started).toBeLessThan(3000);
      expect(warnings).toContain('alert webhook failed');
      await eventually(() => got.length === 1, 10_000, 'the published alert');
      const stored = await h.db.query<{ asset: string }>('SELECT asset FROM alerts.alerts');
      expect(stored.rows).toEqual([{ asset: 'DAI' }]);
    } finally {
      await off?.();
      await hook.close();
      await h.close();
      await h.deps.pubsub?.close();
    }
  }, 60_000);
});
