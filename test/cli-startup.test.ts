/**
 * The CLI's first contact: `--version`, `--help` (text and `--json`) without opening the store, long tables
 * cut with `--limit`/`--all`, and the compiled bin (dist/) answering `--help` without loading the heavy
 * packages (the store drivers, the API server, the job queue, PDF, LLM and mail clients).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/cli/commands/core.ts';
import type { CommandJson } from '../src/cli/help-json.ts';
import { DEFAULT_ROW_LIMIT } from '../src/cli/limit.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';
import { runCommands, runMain } from './support/cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const find = (doc: CommandJson, ...path: string[]): CommandJson | undefined =>
  path.reduce<CommandJson | undefined>((d, name) => d?.commands.find((c) => c.name === name), doc);

describe('--version and --help never open the store', () => {
  const base = mkdtempSync(join(tmpdir(), 'mp-cli-help-'));
  const home = join(base, 'home');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('--version prints the version of package.json', async () => {
    const r = await runMain(['--version']);
    expect(r).toMatchObject({ code: 0, out: `${VERSION}\n` });
  });

  it('--help prints every command; --help --json the same tree as data', async () => {
    const text = await runMain(['--help', '--home', home]);
    expect(text.code).toBe(0);
    for (const name of ['import', 'analytics', 'quote', 'serve', 'backtest', 'jobs']) {
      expect(text.out, `${name} listed in --help`).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const json = await runMain(['--help', '--json', '--home', home]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as CommandJson;
    expect(doc.name).toBe('marketpipe');
    expect(doc.options.map((o) => o.flags)).toEqual(
      expect.arrayContaining(['-V, --version', '--json', '--home <dir>', '--db <url>', '--redis <url>']),
    );
    const quote = find(doc, 'quote');
    expect(quote?.arguments.map((a) => [a.name, a.required])).toEqual([
      ['asset', true],
      ['amount', true],
    ]);
    expect(quote?.options).toContainEqual(expect.objectContaining({ flags: '--days <n>', default: '30' }));
    const corr = find(doc, 'analytics', 'correlations');
    expect(corr?.options.map((o) => o.flags)).toEqual(expect.arrayContaining(['--limit <n>', '--all']));
    expect(existsSync(home), 'help must not create the home (no store opened)').toBe(false);
  });

  it("a subcommand's --help --json has its own options and the global ones", async () => {
    const r = await runMain(['analytics', 'correlations', '--help', '--json', '--home', home]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as CommandJson & { global_options: CommandJson['options'] };
    expect(doc.name).toBe('correlations');
    expect(doc.options).toContainEqual(expect.objectContaining({ name: 'window', default: '90' }));
    expect(doc.global_options.map((o) => o.name)).toEqual(expect.arrayContaining(['json', 'home']));
    expect(existsSync(home)).toBe(false);
  });
});

describe('long tables: --limit N, --all (coverage)', () => {
  let db: Db;
  // More instruments than a table shows by default; coverage lists each, with or without data.
  const symbols = Array.from({ length: DEFAULT_ROW_LIMIT + 10 }, (_, i) => `T${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(
      db,
      symbols.map((symbol) => ({
        symbol,
        assetClass: 'crypto',
        name: symbol,
        currency: 'USD',
        timezone: 'UTC',
      })),
    );
  });
  afterAll(() => db.close());

  const human = async (...argv: string[]): Promise<string> => {
    const out: string[] = [];
    await runCommands([core], { db, json: false, print: (r, format) => void out.push(format(r)) }, [
      'coverage',
      ...argv,
    ]);
    return out.join('\n');
  };
  const json = async (...argv: string[]) => {
    const { printed } = await runCommands([core], { db }, ['coverage', ...argv]);
    return (printed[0] as { instruments: unknown[] }).instruments;
  };
  const dataLines = (text: string) => text.split('\n').filter((l) => /^T\d\d /.test(l));

  it(`a table shows ${DEFAULT_ROW_LIMIT} rows and says how many were left out`, async () => {
    const text = await human();
    expect(dataLines(text)).toHaveLength(DEFAULT_ROW_LIMIT);
    expect(text).toContain('… 10 more series not shown (--limit N or --all)');
    expect(dataLines(await human('--limit', '7'))).toHaveLength(7);
    const all = await human('--all');
    expect(dataLines(all)).toHaveLength(symbols.length);
    expect(all).not.toContain('not shown');
  });

  it('--json prints every row unless --limit is given', async () => {
    expect(await json()).toHaveLength(symbols.length);
    expect(await json('--limit', '3')).toHaveLength(3);
  });

  it('bad --limit, or --limit with --all, is a usage error', async () => {
    await expect(human('--limit', '0')).rejects.toThrow(UsageError);
    await expect(human('--limit', 'ten')).rejects.toThrow(/--limit: expected a positive whole number/);
    await expect(human('--limit', '5', '--all')).rejects.toThrow(/--limit and --all/);
  });
});

describe('the compiled bin (dist/cli/bin.js, one spawned process each)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-cli-dist-'));
  const loaded = join(dir, 'loaded.txt');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    // What `npm ci` (prepare) builds; rebuilt here so the test runs the current sources.
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    // A resolve hook that records every module the process loads.
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(${JSON.stringify(loaded)}, r.url + '\\n');
  return r;
}\n`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
  }, 120_000);

  const bin = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', join(dir, 'register.mjs'), join(ROOT, 'dist', 'cli', 'bin.js'), ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, MARKETPIPE_HOME: join(dir, 'home') },
      },
    );

  it('answers --version and --help with commander alone of the dependencies', () => {
    const version = bin('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);

    rmSync(loaded, { force: true });
    const help = bin('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: marketpipe \[options\] \[command\]/);
    expect(help.stdout).toMatch(/^ {2}quote \[options\] <asset> <amount>/m);
    const packages = new Set(
      readFileSync(loaded, 'utf8')
        .split('\n')
        .map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1])
        .filter((p): p is string => p !== undefined),
    );
    expect([...packages]).toEqual(['commander']);
    expect(existsSync(join(dir, 'home')), 'no store opened').toBe(false);
  });

  it('finds from dist/ the files the code reads beside it: migrations, universe, samples, the dashboard', async () => {
    const dist = async <T>(path: string): Promise<T> =>
      (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;
    const { MIGRATIONS_DIR } = await dist<{ MIGRATIONS_DIR: string }>('store/migrate.js');
    const { DEFAULT_UNIVERSE_FILE } = await dist<{ DEFAULT_UNIVERSE_FILE: string }>('universe.js');
    const { FRED_SAMPLE_DIR } = await dist<{ FRED_SAMPLE_DIR: string }>('pipeline/feeds/economic/samples.js');
    const { EVENTS_SAMPLE_FILE } = await dist<{ EVENTS_SAMPLE_FILE: string }>(
      'pipeline/feeds/events/samples.js',
    );
    const { NEWS_SAMPLE_FILE } = await dist<{ NEWS_SAMPLE_FILE: string }>('pipeline/feeds/news/samples.js');
    const { WEB_DIST } = await dist<{ WEB_DIST: string }>('api/static.js');
    const { SAMPLE_DIR } = await dist<{ SAMPLE_DIR: string }>('sources/synthetic/real-samples.js');
    const { SAMPLE_PORTFOLIO_FILE } = await dist<{ SAMPLE_PORTFOLIO_FILE: string }>('risk/service.js');
    expect(MIGRATIONS_DIR).toBe(join(ROOT, 'dist', 'store', 'migrations'));
    expect(readdirSync(MIGRATIONS_DIR).sort()).toEqual(
      readdirSync(join(ROOT, 'src', 'store', 'migrations'))
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    );
    expect(DEFAULT_UNIVERSE_FILE).toBe(join(ROOT, 'universe', 'default.json'));
    expect(FRED_SAMPLE_DIR).toBe(join(ROOT, 'samples', 'fred'));
    expect(SAMPLE_DIR).toBe(join(ROOT, 'samples'));
    const files = [
      DEFAULT_UNIVERSE_FILE,
      FRED_SAMPLE_DIR,
      EVENTS_SAMPLE_FILE,
      NEWS_SAMPLE_FILE,
      SAMPLE_PORTFOLIO_FILE,
    ];
    for (const file of files) expect(existsSync(file), file).toBe(true);
    expect(WEB_DIST).toBe(join(ROOT, 'web', 'dist'));
  });

  it('runs the chat executor of the embedded store from dist/ (its worker entry is copied beside it)', async () => {
    // the dashboard's chat and `ask --execute` on the default store run statements in this worker; before
    // the build copied .mjs files, dist/ had no pglite-worker.mjs and every such statement failed
    const dist = async <T>(path: string): Promise<T> =>
      (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;
    const { openStore } = await dist<typeof import('../src/store/open.ts')>('store/open.js');
    const { createChatExecutor } =
      await dist<typeof import('../src/chat/executor/index.ts')>('chat/executor/index.js');
    const store = await openStore({ home: join(dir, 'chat-home') });
    const executor = createChatExecutor(store.db);
    try {
      expect(executor.kind).toBe('pglite-worker');
      const run = await executor.run(['SELECT 1 AS one'], { timeoutMs: 30_000, maxConcurrent: 1 });
      expect(run.results).toEqual([[{ one: 1 }]]);
    } finally {
      await executor.close();
      await store.close();
    }
  }, 120_000);
});
