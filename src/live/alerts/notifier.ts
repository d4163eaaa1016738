import type { PubSub } from '../../cache/index.ts';
import { describeError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { toIso } from '../../core/time.ts';
import { emailText } from '../../reports/email.ts';
import type { Queryable } from '../../store/db.ts';
import { type AlertRow, insertAlert, recoverAlert, reserveAlertId } from '../../store/repos/alerts.ts';
import type { DepegEvent } from './depeg-monitor.ts';

/** Where an alert goes besides the store and `depeg_alerts`. */
interface AlertChannels {
  /** `ALERT_WEBHOOK_URL`: Slack-compatible JSON (`{text, …}`) POSTed there. */
  webhookUrl?: string;
  /** Time the webhook gets before it is given up (ms). @defaultValue 5000 */
  webhookTimeoutMs?: number;
  /** `SMTP_URL` + `ALERT_RECIPIENTS`: a plain-text email per alert and recovery. */
  smtp?: { url?: string; recipients: readonly string[] };
  fetch?: typeof fetch;
}

export interface AlertNotifierDeps extends AlertChannels {
  db: Queryable;
  pubsub?: PubSub;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** What `depeg_alerts` carries: `type` is `depeg_alert` or `depeg_recovery`, `alert` the stored row. */
export interface DepegAlertMessage {
  type: 'depeg_alert' | 'depeg_recovery';
  ts: string;
  alert: AlertRow;
}

/** An alert's row as published, and the store write that follows the publish. */
interface Delivery {
  row: AlertRow;
  write?: () => Promise<unknown>;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** One line for humans (webhook `text`, email subject). */
function alertText(e: DepegEvent): string {
  const dev = (e.worst - e.peg) / e.peg;
  if (e.kind === 'depeg') {
    return `:rotating_light: ${e.asset} depeg: composite ${e.price.toFixed(4)} is ${pct(Math.abs((e.price - e.peg) / e.peg))} off its ${e.peg} peg for ${e.holdSeconds} s (threshold ${pct(e.threshold)}; venues ${e.venues.join(', ') || 'none'})`;
  }
  return `:white_check_mark: ${e.asset} back on peg: composite ${e.last.toFixed(4)} within ${pct(e.threshold)} of ${e.peg} for ${e.holdSeconds} s (worst ${e.worst.toFixed(4)}, ${pct(Math.abs(dev))})`;
}

/**
 * Takes depeg events off the detector's hot path and delivers them: published on `depeg_alerts` the moment
 * the hold elapses, stored (`alerts.alerts`) just after, then sent to the webhook and by email in the
 * background. The alert's id is reserved when the hold starts (`prepare`), so publishing never waits for
 * the store. Events of one asset are handled in order (a recovery updates the row its alert inserted). A
 * failing store, webhook or mail server is logged and never stops the others (an alert whose id could not
 * be reserved is published with `id` 0).
 */
export class AlertNotifier {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly reserved = new Map<string, Promise<number | null>>();
  private readonly open = new Map<string, AlertRow>();
  private readonly background = new Set<Promise<void>>();
  delivered = 0;

  constructor(private readonly deps: AlertNotifierDeps) {}

  /** A hold started for `asset`: reserve the id its alert will carry (kept for the next hold if cancelled). */
  prepare(asset: string): void {
    if (this.reserved.has(asset)) return;
    this.reserved.set(
      asset,
      reserveAlertId(this.deps.db).catch((err: unknown) => {
        this.deps.log.error({ err: describeError(err), asset }, 'reserving an alert id failed');
        this.reserved.delete(asset);
        return null;
      }),
    );
  }

  handle(event: DepegEvent): void {
    const prev = this.chains.get(event.asset) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(event));
    this.chains.set(event.asset, next);
  }

  /** Waits for every queued event, store write, webhook and email. */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
    while (this.background.size > 0) await Promise.all(this.background);
  }

  private async deliver(e: DepegEvent): Promise<void> {
    const { row, write } = e.kind === 'depeg' ? await this.opened(e) : this.recovered(e);
    const message: DepegAlertMessage = {
      type: e.kind === 'depeg' ? 'depeg_alert' : 'depeg_recovery',
      ts: toIso(e.at),
      alert: row,
    };
    if (this.deps.pubsub) {
      try {
        await this.deps.pubsub.publish('depeg_alerts', { ...message });
      } catch (err) {
        this.deps.log.warn({ err: describeError(err), asset: e.asset }, 'depeg_alerts publish failed');
      }
    }
    // Stored after the publish: on the embedded store a write runs on this thread and would delay it.
    if (write) this.storeLater(e.asset, write);
    this.delivered++;
    const text = alertText(e);
    this.deps.log.warn({ alert: row.id, asset: e.asset, kind: e.kind }, text);
    this.track(this.webhook(text, message));
    this.track(this.email(text, e));
  }

  /** The new alert's row (id reserved at the crossing), written to the store in the background. */
  private async opened(e: DepegEvent): Promise<Delivery> {
    const id = (await this.reserved.get(e.asset)) ?? null;
    this.reserved.delete(e.asset);
    const alert = {
      type: 'depeg' as const,
      asset: e.asset,
      ts: e.at,
      price: e.price,
      threshold: e.threshold,
      venues: e.venues,
      details: {
        peg: e.peg,
        hold_seconds: e.holdSeconds,
        crossed_at: toIso(e.crossedAt),
        worst_price: e.worst,
        last_price: e.last,
      },
    };
    const row: AlertRow = {
      ...alert,
      id: id ?? 0,
      ts: toIso(e.at),
      venues: [...e.venues],
      state: 'open',
      recovered_at: null,
    };
    this.open.set(e.asset, row);
    const write = async () => {
      const stored = await insertAlert(this.deps.db, alert, id ?? undefined);
      if (row.id === 0) row.id = stored.id;
    };
    return { row, write };
  }

  /** The open alert's row marked recovered, updated in the store in the background. */
  private recovered(e: DepegEvent): Delivery {
    const prev = this.open.get(e.asset);
    this.open.delete(e.asset);
    const details = {
      recovered_price: e.last,
      recovery_crossed_at: toIso(e.crossedAt),
      worst_price: e.worst,
    };
    const row: AlertRow = {
      id: prev?.id ?? 0,
      type: 'depeg',
      asset: e.asset,
      ts: prev?.ts ?? toIso(e.at),
      price: prev?.price ?? e.price,
      threshold: e.threshold,
      venues: prev?.venues ?? [...e.venues],
      state: 'recovered',
      recovered_at: toIso(e.at),
      details: { ...prev?.details, ...details },
    };
    // prev.id is read when the write runs: an id assigned by the insert (none reserved) is known by then.
    return { row, write: prev ? () => recoverAlert(this.deps.db, prev.id, e.at, details) : undefined };
  }

  /** Store writes of one asset run in order, after the publish; a failure is logged. */
  private storeLater(asset: string, write: () => Promise<unknown>): void {
    const key = `store:${asset}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(write).then(
      () => undefined,
      (err: unknown) => {
        this.deps.log.error({ err: describeError(err), asset }, 'storing the depeg alert failed');
      },
    );
    this.chains.set(key, next);
    this.track(next);
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private async webhook(text: string, message: DepegAlertMessage): Promise<void> {
    const url = this.deps.webhookUrl;
    if (!url) return;
    const post = this.deps.fetch ?? fetch;
    try {
      const res = await post(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, ...message }),
        signal: AbortSignal.timeout(this.deps.webhookTimeoutMs ?? 5000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.deps.log.warn({ status: res.status }, 'alert webhook answered an error');
    } catch (err) {
      this.deps.log.warn({ err: describeError(err) }, 'alert webhook failed');
    }
  }

  private async email(text: string, e: DepegEvent): Promise<void> {
    const smtp = this.deps.smtp;
    if (!smtp?.url || smtp.recipients.length === 0) return;
    try {
      const subject = `[marketpipe] ${e.asset} ${e.kind === 'depeg' ? 'depeg alert' : 'back on peg'}`;
      await emailText(smtp, subject, text.replace(/^:[a-z_]+: /, ''));
    } catch (err) {
      this.deps.log.warn({ err: describeError(err) }, 'alert email failed');
    }
  }
}
