import type { PubSub } from '../cache/index.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** Messages on `job_events`: every status change of a run, plus `alert` on a permanent failure. */
type JobEventType =
  | 'pending'
  | 'running'
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'retry_scheduled'
  | 'skipped'
  | 'missed'
  | 'alert';

export interface JobEvent {
  type: JobEventType;
  job: string;
  run_key: string;
  attempt?: number;
  trigger?: string;
  run_id?: number;
  records?: number | null;
  duration_ms?: number;
  error?: string;
  retry_in_ms?: number;
  reason?: string;
}

export interface EventSink {
  pubsub?: PubSub;
  log: Logger;
  /** `ALERT_WEBHOOK_URL`: alerts are POSTed there as JSON. */
  alertWebhookUrl?: string;
  fetch?: typeof fetch;
}

/** Publishes one event; a pub/sub outage is logged, never fails the run. */
export async function publishJobEvent(sink: EventSink, event: JobEvent): Promise<void> {
  if (!sink.pubsub) return;
  try {
    await sink.pubsub.publish('job_events', { ...event });
  } catch (err) {
    sink.log.warn({ err: describeError(err), job: event.job }, 'job_events publish failed');
  }
}

/**
 * A permanent failure (the last attempt failed): logged at error level, published as `alert` on
 * `job_events`, and POSTed to the webhook when one is configured (5 s limit; a webhook failure is logged).
 */
export async function raiseAlert(sink: EventSink, event: Omit<JobEvent, 'type'>): Promise<void> {
  const alert: JobEvent = { ...event, type: 'alert' };
  sink.log.error(alert, `job ${event.job} failed permanently: ${event.error ?? 'unknown error'}`);
  await publishJobEvent(sink, alert);
  if (!sink.alertWebhookUrl) return;
  const post = sink.fetch ?? fetch;
  try {
    const res = await post(sink.alertWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...alert,
        ts: new Date().toISOString(),
        text: `marketpipe job ${event.job} failed permanently after ${event.attempt ?? 1} attempt(s): ${event.error ?? ''}`,
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) sink.log.warn({ status: res.status, job: event.job }, 'alert webhook answered an error');
  } catch (err) {
    sink.log.warn({ err: describeError(err), job: event.job }, 'alert webhook failed');
  }
}
