import { Command, CommanderError } from 'commander';
import { AppError, describeError, UsageError } from '../core/errors.ts';
import { COMMAND_MODULES } from './commands/index.ts';
import type { CommandContext, ContextFactory, GlobalOptions } from './context.ts';
import { commandJson } from './help-json.ts';
import { packageVersion } from './version.ts';

interface ProgramOptions {
  /** Help as one JSON document (`--help --json`). @defaultValue false */
  jsonHelp?: boolean;
}

/**
 * Builds the `marketpipe` program. Registering every command is cheap: command modules import only what
 * their options need, and load their implementation (store, API, providers) when their action runs.
 */
function buildProgram(ctxFactory: ContextFactory, opts: ProgramOptions = {}): Command {
  const program = new Command('marketpipe')
    .description('A trustworthy, always-fresh store of market data that turns into risk answers.')
    .version(packageVersion(), '-V, --version', 'print the version')
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
  // Set before the commands are added, so each inherits it.
  if (opts.jsonHelp) {
    program.configureHelp({
      formatHelp: (cmd) => {
        // A subcommand's help also lists the options every command takes (--json, --home, …).
        const doc =
          cmd === program
            ? commandJson(cmd)
            : { ...commandJson(cmd), global_options: commandJson(program).options };
        return `${JSON.stringify(doc, null, 2)}\n`;
      },
    });
  }
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
  const program = buildProgram(
    async (opts) => {
      // Loaded here, not at the top: it brings the store drivers, which `--help` never needs.
      const { openContext } = await import('./context.ts');
      ctx ??= await openContext(globals, opts);
      return ctx;
    },
    { jsonHelp: argv.includes('--json') },
  );
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
    if (ctx?.settings.logLevel === 'debug' && err instanceof Error && err.stack)
      process.stderr.write(`${err.stack}\n`);
    return err instanceof UsageError ? 2 : err instanceof AppError || err instanceof Error ? 1 : 1;
  } finally {
    if (ctx) await ctx.close().catch(() => undefined);
  }
}
