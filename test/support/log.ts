import type { Logger } from '../../src/core/log.ts';

/** A logger that keeps what it is given: each call's first argument, as text. */
export function captureLog(): { warns: string[]; infos: string[]; log: Pick<Logger, 'warn' | 'info'> } {
  const warns: string[] = [];
  const infos: string[] = [];
  return {
    warns,
    infos,
    log: {
      warn: (...args: unknown[]) => void warns.push(String(args[0])),
      info: (...args: unknown[]) => void infos.push(String(args[0])),
    },
  };
}
