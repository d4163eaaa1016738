import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { ContextFactory } from '../context.ts';

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port: expected 0–65535, got "${text}"`);
  return n;
}

export function register(program: Command, ctx: ContextFactory): void {
  program
    .command('serve')
    .description('run the REST API, WebSocket streams, /metrics and the OpenAPI page (/docs)')
    .option('--port <n>', 'port (env PORT, default 3000; 0 picks a free one)')
    .option('--host <host>', 'interface to bind (env HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      const port = parsePort(opts.port);
      const c = await ctx({ liveConfig: true });
      const { serve } = await import('./serve.ts');
      await serve(c, { port, host: opts.host });
    });
}
