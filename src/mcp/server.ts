import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { type McpDeps, TOOLS } from './tools.ts';

/**
 * The MCP server over the store: every tool in tools.ts, and the schema description (the one the chat's
 * model reads) as a resource. A failing tool answers `isError` with the reason; the server stays up.
 */
export function createMcpServer(db: Db, opts: { version: string } & McpDeps): McpServer {
  const server = new McpServer({ name: 'marketpipe', version: opts.version });
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: tool.input, outputSchema: tool.output },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          // As JSON first (dates → ISO strings, undefined dropped), then through the declared schema, so the
          // structured content holds exactly the declared fields; the text content is the same JSON.
          const json: unknown = JSON.parse(JSON.stringify(await tool.run(db, args, opts)));
          const parsed = tool.output.safeParse(json);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const where = issue?.path.join('.') || '(root)';
            throw new Error(`answer does not match the declared output at ${where}: ${issue?.message ?? ''}`);
          }
          const structured = parsed.data as Record<string, unknown>;
          return {
            content: [{ type: 'text', text: JSON.stringify(structured) }],
            structuredContent: structured,
          };
        } catch (err) {
          return { isError: true, content: [{ type: 'text', text: `${tool.name}: ${describeError(err)}` }] };
        }
      },
    );
  }
  server.registerResource(
    'schema',
    'marketpipe://schema',
    {
      description: 'Tables and columns ask_sql may read, with their comments and example queries',
      mimeType: 'text/plain',
    },
    async (uri) => {
      const { buildSchemaContext } = await import('../chat/schema-context.ts');
      const ctx = await buildSchemaContext(db);
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: ctx.text }] };
    },
  );
  return server;
}
