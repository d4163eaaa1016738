import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { type DestinationStream, type Logger, pino } from 'pino';
import { currentStatusLine } from './status-line.ts';

export type { Logger };

export interface LoggerOptions {
  /**
   * Human-readable lines (pino-pretty) instead of JSON. @defaultValue true when stderr is a terminal and
   * `json` is not set; JSON whenever stderr is piped or redirected (machines read it)
   */
  pretty?: boolean;
  /** JSON lines even on a terminal (`settings.logJson`, from `LOG_FORMAT=json`). */
  json?: boolean;
}

/** Logs go to stderr so that `--json` keeps stdout for the one JSON document. */
export function createLogger(level: string, name = 'marketpipe', options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (Boolean(process.stderr.isTTY) && !options.json);
  return pino(
    { name, level, base: undefined },
    pretty ? prettyStream() : pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * pino-pretty as an in-process stream (no worker thread: lines keep their order with the progress output),
 * loaded only when used so that piped runs never pay for it.
 */
function prettyStream(): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
  // each line: clear the progress line, write the log line, draw the progress line again below it
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      currentStatusLine()?.clear();
      writeSync(2, chunk);
      currentStatusLine()?.redraw();
      done();
    },
  });
  return pretty({
    destination,
    sync: true,
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
  });
}
