import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './core/errors.ts';

/** Providers whose base URL and key come from `<PROVIDER>_BASE_URL` / `<PROVIDER>_API_KEY`. */
export const PROVIDERS = [
  'coingecko',
  'polygon',
  'oanda',
  'yahoo',
  'binance',
  'fred',
  'newsapi',
  'alphavantage',
  'coinbase',
  'kraken',
  'defillama',
] as const;
export type Provider = (typeof PROVIDERS)[number];

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''].includes(v),
    'expected true or false',
  )
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected a port number')
  .min(1, 'expected a port number from 1 to 65535')
  .max(65535, 'expected a port number from 1 to 65535');
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const providerEntries = Object.fromEntries(
  PROVIDERS.flatMap((p) => [
    [`${p.toUpperCase()}_BASE_URL`, optional(url(['http:', 'https:']))],
    [`${p.toUpperCase()}_API_KEY`, optional(z.string().trim())],
  ]),
);

/** Every environment variable marketpipe reads, with its rules. */
const envSchema = z.object({
  MARKETPIPE_HOME: z.string().trim().min(1).default('./.marketpipe'),
  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  DATABASE_READ_URL: optional(url(['postgres:', 'postgresql:'])),
  REDIS_URL: optional(url(['redis:', 'rediss:'])),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.string().trim().optional(),
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  USE_MOCK_DATA: optional(bool),
  JWT_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  API_KEYS: optional(z.string()),
  CORS_ORIGINS: optional(z.string()),
  ALERT_WEBHOOK_URL: optional(url(['http:', 'https:'])),
  LLM_BASE_URL: optional(url(['http:', 'https:'])),
  LLM_API_KEY: optional(z.string()),
  LLM_MODEL: optional(z.string()),
  LLM_LOCAL_BASE_URL: optional(url(['http:', 'https:'])),
  LLM_LOCAL_API_KEY: optional(z.string()),
  LLM_LOCAL_MODEL: optional(z.string()),
  SMTP_URL: optional(url(['smtp:', 'smtps:'])),
  REPORT_RECIPIENTS: optional(z.string()),
  MARKETPIPE_ENV: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_-]*$/, 'must be a lower-case name such as production, staging or dev')
    .default('production'),
  MARKETPIPE_PROCESS_NAME: optional(z.string().trim().min(1)),
  BINANCE_WS_URL: optional(url(['ws:', 'wss:'])),
  BINANCE_WS_API_URL: optional(url(['ws:', 'wss:'])),
  COINBASE_WS_URL: optional(url(['ws:', 'wss:'])),
  KRAKEN_WS_URL: optional(url(['ws:', 'wss:'])),
  ALERT_RECIPIENTS: optional(z.string()),
  MARKETPIPE_JOB_LOCK_TTL_MS: optional(z.coerce.number({ error: 'expected milliseconds' }).int().positive()),
  MARKETPIPE_QUEUE_PREFIX: optional(z.string().trim()),
  BINANCE_API_SECRET: optional(z.string().trim()),
  ALPACA_BASE_URL: optional(url(['http:', 'https:'])),
  ALPACA_API_KEY: optional(z.string().trim()),
  ALPACA_API_SECRET: optional(z.string().trim()),
  ...providerEntries,
});

export interface Settings {
  /** Folder of the embedded store, lock file, reports. Absolute. */
  home: string;
  databaseUrl?: string;
  /**
   * A read replica of `databaseUrl`: `serve` answers its read-only routes from it (writes, admin and
   * config reads stay on the primary). Only with `databaseUrl`.
   */
  databaseReadUrl?: string;
  redisUrl?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `LOG_FORMAT=json`: JSON log lines even on a terminal. @defaultValue false */
  logJson?: boolean;
  port: number;
  host: string;
  /** Route every provider fetch to the synthetic source (offline demo, tests). */
  useMockData: boolean;
  jwtSecret?: string;
  apiKeys: string[];
  corsOrigins: string[];
  alertWebhookUrl?: string;
  providers: Record<Provider, { baseUrl?: string; apiKey?: string }>;
  llm: { baseUrl?: string; apiKey?: string; model?: string };
  llmLocal: { baseUrl?: string; apiKey?: string; model?: string };
  smtpUrl?: string;
  reportRecipients: string[];
  /**
   * Configuration environment whose parameter values this process serves (values it does not override
   * fall back to the base namespace, which `production` writes). @defaultValue 'production'
   */
  configEnv: string;
  /** This process's name for config canaries (`config set … --canary serve-2`); unset: none targets it. */
  processName?: string;
  /**
   * Venue market-data WebSockets (`BINANCE_WS_URL`, `COINBASE_WS_URL`, `KRAKEN_WS_URL`); unset = the venue's
   * public endpoint when `marketpipe stream` runs. Only explicitly set ones turn the stream on inside `start`.
   */
  venueWs: { binance?: string; coinbase?: string; kraken?: string };
  /** Who gets live alerts by email (`ALERT_RECIPIENTS`, else `REPORT_RECIPIENTS`); only with `smtpUrl`. */
  alertRecipients: string[];
  /** Job lock lease, ms (`MARKETPIPE_JOB_LOCK_TTL_MS`). @defaultValue the runner's 60000 */
  jobLockTtlMs?: number;
  /** BullMQ key prefix of the job queue (`MARKETPIPE_QUEUE_PREFIX`). @defaultValue the queue's own */
  queuePrefix?: string;
  /**
   * Trading venues' credentials and endpoints. `binance.baseUrl` is `BINANCE_BASE_URL` (shared with the
   * market-data source) and `undefined` when unset: the Binance broker then trades on the spot TESTNET, never
   * on the live exchange by default. `binance.wsApiUrl` (`BINANCE_WS_API_URL`, the WebSocket API for order
   * events) unset = derived from `baseUrl` (testnet REST → testnet ws-api). `alpaca.baseUrl` (`ALPACA_BASE_URL`) unset = Alpaca's paper endpoint.
   */
  brokers: {
    binance: { baseUrl?: string; apiKey?: string; apiSecret?: string; wsApiUrl?: string };
    alpaca: { baseUrl?: string; apiKey?: string; apiSecret?: string };
  };
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads `.env` in the working directory (values already in the environment win). */
function readDotenv(cwd = process.cwd()): Record<string, string> {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseDotenv(readFileSync(file));
}

/**
 * Validates the environment once. A bad value throws a ConfigError whose one-line message names the
 * variable, e.g. `PORT: expected a whole number (got "abc")`.
 */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Settings {
  const merged = { ...readDotenv(cwd), ...env };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = merged[name];
    const shown =
      name.endsWith('_KEY') || name.endsWith('SECRET') || got === undefined ? '' : ` (got "${got}")`;
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid value'}${shown}`);
  }
  const e = parsed.data as Record<string, unknown> & z.infer<typeof envSchema>;
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    // The embedded store has no replicas: a read URL without a primary URL is a mistake, not a fallback.
    throw new ConfigError(
      'DATABASE_READ_URL: a read replica needs DATABASE_URL (the embedded store has no replicas)',
    );
  }
  const str = (k: string): string | undefined => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
  const providers = Object.fromEntries(
    PROVIDERS.map((p) => [
      p,
      { baseUrl: str(`${p.toUpperCase()}_BASE_URL`), apiKey: str(`${p.toUpperCase()}_API_KEY`) },
    ]),
  ) as Settings['providers'];
  return Object.freeze({
    home: resolve(cwd, e.MARKETPIPE_HOME),
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    logJson: e.LOG_FORMAT === 'json',
    port: e.PORT,
    host: e.HOST,
    useMockData: e.USE_MOCK_DATA ?? false,
    jwtSecret: e.JWT_SECRET,
    apiKeys: list(e.API_KEYS),
    corsOrigins: list(e.CORS_ORIGINS),
    alertWebhookUrl: e.ALERT_WEBHOOK_URL,
    providers,
    llm: { baseUrl: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY, model: e.LLM_MODEL },
    llmLocal: { baseUrl: e.LLM_LOCAL_BASE_URL, apiKey: e.LLM_LOCAL_API_KEY, model: e.LLM_LOCAL_MODEL },
    smtpUrl: e.SMTP_URL,
    reportRecipients: list(e.REPORT_RECIPIENTS),
    configEnv: e.MARKETPIPE_ENV,
    processName: e.MARKETPIPE_PROCESS_NAME,
    venueWs: { binance: e.BINANCE_WS_URL, coinbase: e.COINBASE_WS_URL, kraken: e.KRAKEN_WS_URL },
    alertRecipients: list(e.ALERT_RECIPIENTS ?? e.REPORT_RECIPIENTS),
    jobLockTtlMs: e.MARKETPIPE_JOB_LOCK_TTL_MS,
    queuePrefix: e.MARKETPIPE_QUEUE_PREFIX,
    brokers: {
      binance: {
        baseUrl: str('BINANCE_BASE_URL'),
        apiKey: str('BINANCE_API_KEY'),
        apiSecret: e.BINANCE_API_SECRET,
        wsApiUrl: e.BINANCE_WS_API_URL,
      },
      alpaca: { baseUrl: e.ALPACA_BASE_URL, apiKey: e.ALPACA_API_KEY, apiSecret: e.ALPACA_API_SECRET },
    },
  });
}
