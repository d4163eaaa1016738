import { Command, CommanderError } from 'commander';
import { AppError, describeError, UsageError } from '../core/errors.ts';
import { COMMAND_MODULES } from './commands/index.ts';
import { type CommandContext, type GlobalOptions, openContext } from './context.ts';

/** Builds the `marketpipe` program. `getGlobals` reads the options of the command being run. */
export function buildProgram(ctxFactory: () => Promise<CommandContext>): Command {
  const program = new Command('marketpipe')
    .description('A trustworthy, always-fresh store of market data that turns into risk answers.')
    .option('--json', 'print one JSON document on stdout (logs stay on stderr)')
    .option('--home <dir>', 'marketpipe home: embedded store, lock, reports (env MARKETPIPE_HOME)')
    .option('--db <url>', 'PostgreSQL URL instead of the embedded store (env DATABASE_URL)')
    .option('--redis <url>', 'Redis URL for cache, pub/sub and workers (env REDIS_URL)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`${text.replace(/^error: /, 'marketpipe: ').trim()}\n`),
    });
  for (const mod of COMMAND_MODULES) mod.register(program, ctxFactory);
  for (const cmd of walk(program)) cmd.exitOverride();
  return program;
}

function* walk(cmd: Command): Generator<Command> {
  for (const sub of cmd.commands) {
    yield sub;
    yield* walk(sub);
  }
}

/**
 * Runs the CLI and returns the exit code: 0 success, 1 failure (one-line reason on stderr), 2 bad usage.
 */
export async function main(argv: string[]): Promise<number> {
  let ctx: CommandContext | undefined;
  let globals: GlobalOptions = {};
  const program = buildProgram(async () => {
    if (!ctx) ctx = await openContext(globals);
    return ctx;
  });
  program.hook('preAction', (_root, action) => {
    globals = action.optsWithGlobals() as GlobalOptions;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      return 2;
    }
    process.stderr.write(`marketpipe: ${describeError(err)}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack)
      process.stderr.write(`${err.stack}\n`);
    return err instanceof UsageError ? 2 : err instanceof AppError || err instanceof Error ? 1 : 1;
  } finally {
    if (ctx) await ctx.close().catch(() => undefined);
  }
}
