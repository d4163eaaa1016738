import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('ask <question>')
    .description('ask the data in plain language: question → guarded SQL (and its rows with --execute)')
    .option('--execute', 'run the SQL (read-only, at most 1000 rows)')
    .option('--user <name>', 'whose chat history it goes to', 'cli')
    .action(async (question: string, opts: { execute?: boolean; user: string }) => {
      if (!question.trim()) throw new UsageError('question must not be empty');
      const c = await ctx();
      const { ask } = await import('../../chat/ask.ts');
      const result = await ask(c.db, c.settings, question, {
        execute: Boolean(opts.execute),
        user: opts.user,
      });
      c.print(result, (r) => {
        const lines = [`-- ${r.endpoint} model${r.private ? ' (private question)' : ''}`, r.sql, ''];
        if (r.explanation) lines.push(r.explanation, '');
        if (r.rows && r.columns) {
          lines.push(formatTable(r.rows, r.columns));
          lines.push(`${r.rows.length} row(s)${r.truncated ? ' (cut at the row limit)' : ''}`);
        }
        return lines.join('\n');
      });
    });
}
