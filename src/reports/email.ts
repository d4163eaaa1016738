import nodemailer from 'nodemailer';
import { ConfigError, UnavailableError } from '../core/errors.ts';
import type { DailyReport } from './types.ts';

export interface SmtpOptions {
  /** `SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`. */
  url?: string;
  /** `REPORT_RECIPIENTS`. */
  recipients: readonly string[];
  /** @defaultValue 'marketpipe <reports@marketpipe.local>' */
  from?: string;
}

export interface EmailResult {
  message_id: string;
  accepted: string[];
  rejected: string[];
}

/** The subject line: kind, date and the headline's first part. */
function reportSubject(r: DailyReport): string {
  return `[marketpipe] ${r.kind.toUpperCase()} report ${r.date}`;
}

/** Sends the report: HTML body, plain-text alternative, PDF attached. */
export async function emailReport(
  r: DailyReport,
  html: string,
  pdf: Buffer,
  smtp: SmtpOptions,
): Promise<EmailResult> {
  if (!smtp.url) throw new ConfigError('SMTP_URL is not set: cannot email the report');
  if (smtp.recipients.length === 0)
    throw new ConfigError('REPORT_RECIPIENTS is empty: nobody to email the report to');
  const transport = nodemailer.createTransport(smtp.url);
  try {
    const info = await transport.sendMail({
      from: smtp.from ?? 'marketpipe <reports@marketpipe.local>',
      to: [...smtp.recipients],
      subject: reportSubject(r),
      text: `${r.title}\n\n${r.headline}\n\nThe full report is attached as PDF.`,
      html,
      attachments: [
        { filename: `${r.kind}_report_${r.date}.pdf`, content: pdf, contentType: 'application/pdf' },
      ],
    });
    const list = (v: unknown) =>
      Array.isArray(v)
        ? v.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address)))
        : [];
    return {
      message_id: String(info.messageId),
      accepted: list(info.accepted),
      rejected: list(info.rejected),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UnavailableError(`sending the report by SMTP failed: ${reason}`, { cause: err });
  } finally {
    transport.close();
  }
}

/** Sends a short plain-text message (live alerts) to the recipients over the same SMTP settings. */
export async function emailText(smtp: SmtpOptions, subject: string, text: string): Promise<EmailResult> {
  if (!smtp.url) throw new ConfigError('SMTP_URL is not set: cannot send email');
  if (smtp.recipients.length === 0) throw new ConfigError('no recipients to email');
  const transport = nodemailer.createTransport(smtp.url);
  try {
    const info = await transport.sendMail({
      from: smtp.from ?? 'marketpipe <alerts@marketpipe.local>',
      to: [...smtp.recipients],
      subject,
      text,
    });
    return {
      message_id: String(info.messageId),
      accepted: addresses(info.accepted),
      rejected: addresses(info.rejected),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UnavailableError(`sending email by SMTP failed: ${reason}`, { cause: err });
  } finally {
    transport.close();
  }
}

function addresses(v: unknown): string[] {
  return Array.isArray(v)
    ? v.map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address)))
    : [];
}
