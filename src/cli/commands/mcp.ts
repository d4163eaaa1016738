import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('mcp')
    .description('serve the store to LLM agents over MCP on stdin/stdout (tools: prices, depegs, VaR, SQL…)')
    .action(async () => {
      const c = await ctx();
      const [{ StdioServerTransport }, { createMcpServer }, { packageVersion }] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('../../mcp/server.ts'),
        import('../version.ts'),
      ]);
      const server = createMcpServer(c.db, { version: packageVersion(), config: c.runtime.config });
      const transport = new StdioServerTransport();
      // Runs until the client closes stdin; the store is closed by main() afterwards.
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
      });
      await server.connect(transport);
      await closed;
      await server.close();
    });
}
