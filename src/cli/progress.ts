import { setStatusLine } from '../core/status-line.ts';

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (never in `--json` pipes or CI).
 */
export interface Progress {
  update(done: number, total?: number, label?: string): void;
  done(): void;
}

const NOOP: Progress = { update() {}, done() {} };

export function progressBar(title: string, enabled = Boolean(process.stderr.isTTY)): Progress {
  if (!enabled) return NOOP;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      const width = 28;
      let text: string;
      if (total && total > 0) {
        const share = Math.min(1, done / total);
        const fill = Math.round(share * width);
        text = `${title} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(share * 100).toFixed(0)}%`;
      } else {
        text = `${title} ${done.toLocaleString('en-US')}`;
      }
      process.stderr.write(`\r${text}${label ? ` ${label}` : ''}\x1b[K`);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * What `npm start` shows a person on a terminal: one line per step, the running one redrawn with its elapsed
 * time (and a bar when the step knows its total), the finished one kept with its outcome and duration.
 * Disabled (every call a no-op) when stderr is not a terminal: piped runs get the JSON logs instead.
 */
export interface StepPrinter {
  readonly enabled: boolean;
  /** Starts a step (ends the previous one if still open). */
  begin(title: string): void;
  /** Fraction of the running step, when it knows one. */
  progress(done: number, total: number): void;
  /** Ends the running step: `✓ title  detail  (1.2 s)`, or `✗` when `ok` is false. */
  end(detail?: string, ok?: boolean): void;
  /** A line of its own above the running step (e.g. a sub-step that finished). */
  note(text: string): void;
  /** Ends the running step without a line of its own (its outcome was printed some other way). */
  cancel(): void;
}

const NOOP_STEPS: StepPrinter = {
  enabled: false,
  begin() {},
  progress() {},
  end() {},
  note() {},
  cancel() {},
};

export function stepPrinter(enabled = Boolean(process.stderr.isTTY)): StepPrinter {
  if (!enabled) return NOOP_STEPS;
  const out = (s: string) => process.stderr.write(s);
  let current: { title: string; started: number; done?: number; total?: number } | null = null;
  let timer: NodeJS.Timeout | undefined;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const draw = () => {
    if (!current) return;
    const elapsed = seconds(Date.now() - current.started);
    let bar = '';
    if (current.total && current.total > 0 && current.done !== undefined) {
      const width = 24;
      const share = Math.min(1, current.done / current.total);
      const fill = Math.round(share * width);
      bar = ` [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(share * 100).toFixed(0)}%`;
    }
    out(`\r… ${current.title}${bar}  ${elapsed}\x1b[K`);
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const printer: StepPrinter = {
    enabled: true,
    begin(title) {
      if (current) printer.end();
      current = { title, started: Date.now() };
      draw();
      timer = setInterval(draw, 200);
      timer.unref();
    },
    progress(done, total) {
      if (!current) return;
      current.done = done;
      current.total = total;
    },
    end(detail, ok = true) {
      if (!current) return;
      stop();
      const took = seconds(Date.now() - current.started);
      out(`\r${ok ? '✓' : '✗'} ${current.title}${detail ? `  ${detail}` : ''}  (${took})\x1b[K\n`);
      current = null;
    },
    note(text) {
      out(`\r  ${text}\x1b[K\n`);
      draw();
    },
    cancel() {
      stop();
      if (current) out('\r\x1b[K');
      current = null;
    },
  };
  // pretty log lines (core/log.ts) clear this line, print above it, and have it drawn again
  setStatusLine({
    clear: () => {
      if (current) out('\r\x1b[K');
    },
    redraw: () => draw(),
  });
  return printer;
}
