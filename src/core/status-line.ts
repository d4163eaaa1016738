/**
 * The terminal's status line: a line a progress display keeps redrawing (cli/progress.ts); pretty log lines
 * are written above it (core/log.ts). Kept apart from the logger so a progress display does not load pino.
 */
export interface StatusLine {
  clear(): void;
  redraw(): void;
}

let statusLine: StatusLine | null = null;

/** Registers (or, with null, removes) the terminal's status line. */
export function setStatusLine(line: StatusLine | null): void {
  statusLine = line;
}

/** The registered status line, if any. */
export function currentStatusLine(): StatusLine | null {
  return statusLine;
}
