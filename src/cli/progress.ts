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
