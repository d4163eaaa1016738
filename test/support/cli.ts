import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { CommandContext } from '../../src/cli/context.ts';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/core/log.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';

export interface MainRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the whole CLI in-process (`main(argv)`), capturing stdout and stderr, with `env` set for the call
 * only (each variable restored afterwards, or removed if it was not set).
 */
export async function runMain(argv: string[], env: Record<string, string> = {}): Promise<MainRun> {
  let out = '';
  let err = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    const code = await main(argv);
    process.exitCode = undefined;
    return { code, out, err };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A command module (`src/cli/commands/<name>.ts`). */
export interface CommandModule {
  register(program: Command, ctx: () => Promise<CommandContext>): void;
}

export interface CommandsRun {
  /** The exit code the command set (0 when it set none). */
  code: number;
  /** Every result the command passed to `ctx.print`, in order. */
  printed: unknown[];
}

/**
 * Runs `argv` through a commander program with only `modules` registered (after the empty command
 * groups named in `groups`), each command getting `{json: true, storeMode: 'memory', a silent log, ...ctx}`.
 * Commander and command errors are thrown, never turned into process.exit.
 */
export async function runCommands(
  modules: readonly CommandModule[],
  ctx: Partial<CommandContext>,
  argv: string[],
  groups: readonly string[] = [],
): Promise<CommandsRun> {
  const printed: unknown[] = [];
  // the process's runtime over the test's store and settings, built once as the real CLI does
  let runtime: Runtime | undefined;
  const context = async (): Promise<CommandContext> => {
    if (!runtime && ctx.settings && ctx.db)
      runtime = await createRuntime(ctx.settings, { db: ctx.db, log: createLogger('silent') });
    return {
      json: true,
      storeMode: 'memory',
      print: (r: unknown) => {
        printed.push(r);
      },
      log: createLogger('silent'),
      close: async () => undefined,
      runtime,
      ...ctx,
    } as CommandContext;
  };
  const program = new Command('marketpipe').exitOverride().option('--json');
  for (const g of groups) program.command(g);
  for (const m of modules) m.register(program, context);
  const override = (c: Command): void => {
    c.exitOverride();
    for (const s of c.commands) override(s);
  };
  override(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, printed };
  } finally {
    process.exitCode = undefined;
    await runtime?.close();
  }
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'marketpipe.mjs');

export interface ProcessRun {
  /** The exit code, or null when the process was ended by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `bin/marketpipe.mjs args` as a real process with `env` over this process's environment, killed
 * after `timeoutMs` when given. `done` settles with its exit code and everything it wrote.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs?: number,
): { proc: ChildProcess; done: Promise<ProcessRun> } {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<ProcessRun>((resolve) =>
    proc.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, done };
}
