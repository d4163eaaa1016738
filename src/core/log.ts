import { type Logger, pino } from 'pino';

export type { Logger };

/** Logs go to stderr so that `--json` keeps stdout for the one JSON document. */
export function createLogger(level: string, name = 'marketpipe'): Logger {
  return pino({ name, level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}
