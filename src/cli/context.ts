import type { Logger } from '../core/log.ts';
import { createLogger } from '../core/log.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { loadSettings, type Settings } from '../settings.ts';
import type { Db } from '../store/db.ts';

type StoreMode = 'postgres' | 'embedded-owner' | 'embedded-client' | 'memory';

/** Options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  home?: string;
  db?: string;
  redis?: string;
}

/** What a command gets: the process's runtime (validated settings, an open and migrated store, …) and output helpers. */
export interface CommandContext {
  /** Built once per process; everything a command needs comes from it. */
  runtime: Runtime;
  settings: Settings;
  json: boolean;
  db: Db;
  storeMode: StoreMode;
  /** Prints `result` as one JSON document with `--json`, else `human(result)`. */
  print<T>(result: T, human: (r: T) => string): void;
  log: Logger;
  close(): Promise<void>;
}

/** Settings with the global flags applied over the environment (flags win). */
export function settingsFor(
  globals: GlobalOptions,
  env: Record<string, string | undefined> = process.env,
): Settings {
  const overlay: Record<string, string | undefined> = { ...env };
  if (globals.home) overlay.MARKETPIPE_HOME = globals.home;
  if (globals.db) overlay.DATABASE_URL = globals.db;
  if (globals.redis) overlay.REDIS_URL = globals.redis;
  return loadSettings(overlay);
}

export function printer(json: boolean) {
  return <T>(result: T, human: (r: T) => string): void => {
    if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const text = human(result);
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  };
}

/** Opens the process's context on first call (later calls return the same one). */
export type ContextFactory = (opts?: ContextOptions) => Promise<CommandContext>;

export interface ContextOptions {
  /** Hot-reload the config parameters (servers: `serve`, `start`). @defaultValue false */
  liveConfig?: boolean;
}

/** Builds the process's runtime: opens the store the settings point at (embedded by default), migrated. */
export async function openContext(
  globals: GlobalOptions,
  opts: ContextOptions = {},
): Promise<CommandContext> {
  const settings = settingsFor(globals);
  const json = Boolean(globals.json);
  const log = createLogger(json && settings.logLevel === 'info' ? 'warn' : settings.logLevel, undefined, {
    json: settings.logJson,
  });
  return contextOf(await createRuntime(settings, { log, liveConfig: opts.liveConfig }), json);
}

/** A command's context over a runtime (tests build theirs with `createRuntime(settings, { db })`). */
export function contextOf(runtime: Runtime, json: boolean): CommandContext {
  return {
    runtime,
    settings: runtime.settings,
    json,
    db: runtime.store,
    storeMode: runtime.storeMode,
    print: printer(json),
    log: runtime.log,
    close: () => runtime.close(),
  };
}
