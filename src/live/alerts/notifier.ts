import type { PubSub } from '../../cache/index.ts';
import { describeError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { toIso } from '../../core/time.ts';
import { emailText } from '../../reports/email.ts';
import type { Queryable } from '../../store/db.ts';
import { type AlertRow, insertAlert, recoverAlert } from '../../store/repos/alerts.ts';
import type { DepegEvent } from './depeg-monitor.ts';

/** Where an alert goes besides the store and `depeg_alerts`. */
export interface AlertChannels {
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

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** One line for humans (webhook `text`, email subject). */
export function alertText(e: DepegEvent): string {
  const dev = (e.worst - e.peg) / e.peg;
  if (e.kind === 'depeg') {
    return `:rotating_light: ${e.asset} depeg: composite ${e.price.toFixed(4)} is ${pct(Math.abs((e.price - e.peg) / e.peg))} off its ${e.peg} peg for ${e.holdSeconds} s (threshold ${pct(e.threshold)}; venues ${e.venues.join(', ') || 'none'})`;
  }
  return `:white_check_mark: ${e.asset} back on peg: composite ${e.last.toFixed(4)} within ${pct(e.threshold)} of ${e.peg} for ${e.holdSeconds} s (worst ${e.worst.toFixed(4)}, ${pct(Math.abs(dev))})`;
}

/**
 * Takes depeg events off the detector's hot path and delivers them: stored (`alerts.alerts`), published on
 * `depeg_alerts`, then the webhook and email in the background. Events of one asset are handled in order
 * (a recovery updates the row its alert inserted). A failing store, webhook or mail server is logged and
 * never stops the others: the alert is still published, with `id` 0 when it could not be stored.
 */
export class AlertNotifier {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly openIds = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();
  delivered = 0;

  constructor(private readonly deps: AlertNotifierDeps) {}

  handle(event: DepegEvent): void {
    const prev = this.chains.get(event.asset) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(event));
    this.chains.set(event.asset, next);
  }

  /** Waits for every queued event, webhook and email. */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
    await Promise.all(this.background);
  }

  private async deliver(e: DepegEvent): Promise<void> {
    const row = await this.store(e);
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
    this.delivered++;
    const text = alertText(e);
    this.deps.log.warn({ alert: row.id, asset: e.asset, kind: e.kind }, text);
    this.track(this.webhook(text, message));
    this.track(this.email(text, e));
  }

  private async store(e: DepegEvent): Promise<AlertRow> {
    const details = {
      peg: e.peg,
      hold_seconds: e.holdSeconds,
      crossed_at: toIso(e.crossedAt),
      worst_price: e.worst,
      last_price: e.last,
    };
    const knownId = e.kind === 'depeg' ? 0 : (this.openIds.get(e.asset) ?? 0);
    try {
      if (e.kind === 'depeg') {
        const row = await insertAlert(this.deps.db, {
          type: 'depeg',
          asset: e.asset,
          ts: e.at,
          price: e.price,
          threshold: e.threshold,
          venues: e.venues,
          details,
        });
        this.openIds.set(e.asset, row.id);
        return row;
      }
      const id = this.openIds.get(e.asset);
      this.openIds.delete(e.asset);
      const recovered =
        id === undefined
          ? null
          : await recoverAlert(this.deps.db, id, e.at, {
              recovered_price: e.last,
              recovery_crossed_at: toIso(e.crossedAt),
              worst_price: e.worst,
            });
      if (recovered) return recovered;
    } catch (err) {
      this.deps.log.error({ err: describeError(err), asset: e.asset }, 'storing the depeg alert failed');
    }
    return {
      id: knownId,
      type: 'depeg',
      asset: e.asset,
      ts: toIso(e.at),
      price: e.kind === 'depeg' ? e.price : e.last,
      threshold: e.threshold,
      venues: e.venues,
      state: e.kind === 'depeg' ? 'open' : 'recovered',
      recovered_at: e.kind === 'depeg' ? null : toIso(e.at),
      details,
    };
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
