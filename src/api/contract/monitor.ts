import { z } from 'zod';
import { adminSecurity, errorResponses } from './common.ts';

/**
 * The data monitor (`/api/monitor/*` and the `/ws/monitor` stream): coverage per instrument and interval,
 * the non-market feeds, and the store's schemas, tables and per-symbol row counts. The routes validate with
 * these schemas, the OpenAPI document shows them and the Monitor page imports their types.
 */

/** Per instrument and interval (`price` for point prices): stored span, count, gaps and age of the newest. */
const CoverageRow = z.object({
  symbol: z.string(),
  interval: z.string(),
  first: z.string().nullable(),
  last: z.string().nullable(),
  count: z.number(),
  gaps: z.number(),
  freshness_seconds: z.number().nullable(),
});

const CoverageInstrument = CoverageRow.extend({
  source: z.string().nullable().describe("source of the newest bar; 'synthetic' = generated demo data"),
});
export type CoverageInstrument = z.infer<typeof CoverageInstrument>;

const Coverage = z.object({ instruments: z.array(CoverageInstrument) });
export type Coverage = z.infer<typeof Coverage>;

const FEED_SCHEMAS = ['economic_data', 'news', 'events'] as const;

/**
 * One non-market domain's card: `records` stored (observations, articles, events), `instruments` the things
 * they are about (`unit` says which), the date range of the records and the age of the newest one.
 */
const FeedCoverage = z.object({
  schema: z.enum(FEED_SCHEMAS),
  records: z.number().int(),
  instruments: z.number().int().describe('series (economic), sources (news), instruments (events)'),
  unit: z.enum(['series', 'sources', 'instruments']),
  first: z.string().nullable(),
  last: z.string().nullable(),
  freshness_seconds: z.number().nullable().describe('age of the newest record, seconds'),
  /** Rows per table of the schema. */
  tables: z.record(z.string(), z.number().int()),
});
export type FeedCoverage = z.infer<typeof FeedCoverage>;

const Feeds = z.object({ feeds: z.array(FeedCoverage) });
export type Feeds = z.infer<typeof Feeds>;

const Schemas = z.object({
  schemas: z.array(z.object({ schema: z.string(), tables: z.array(z.string()) })),
});

const SchemaParams = z.object({
  schema: z
    .string()
    .max(63)
    .regex(/^[a-z_][a-z0-9_]*$/, 'a schema name'),
});

const SchemaStats = z.object({
  schema: z.string(),
  tables: z.array(
    z.object({
      table: z.string(),
      rows: z.number(),
      bytes: z.number().nullable(),
      time_column: z.string().nullable(),
      first: z.string().nullable(),
      last: z.string().nullable(),
    }),
  ),
});

const SchemaSymbols = z.object({
  schema: z.string(),
  symbols: z.array(
    z.object({ symbol: z.string(), rows: z.number(), tables: z.record(z.string(), z.number()) }),
  ),
});

/**
 * What `/ws/monitor` sends: the coverage on connect and after new data, every job status change
 * (`job_events`), each `data_ready` notice, and an error when a client talks to it.
 */
const MonitorCoverageMessage = z.object({
  type: z.literal('coverage'),
  ts: z.string(),
  instruments: z.array(CoverageRow),
});
const MonitorJobEvent = z.object({
  type: z.enum([
    'pending',
    'running',
    'completed',
    'failed',
    'timed_out',
    'retry_scheduled',
    'skipped',
    'missed',
    'alert',
  ]),
  job: z.string(),
  run_key: z.string(),
  attempt: z.number().optional(),
  trigger: z.string().optional(),
  run_id: z.number().optional(),
  records: z.number().nullable().optional(),
  duration_ms: z.number().optional(),
  error: z.string().optional(),
  retry_in_ms: z.number().optional(),
  reason: z.string().optional(),
});
const MonitorDataReady = z.object({
  type: z.enum(['ingest', 'latest', 'analytics']),
  mode: z.string().optional(),
  interval: z.string().optional(),
  stored: z.number().optional(),
  rows: z.number().optional(),
  symbols: z.array(z.string()).optional(),
});
const MonitorError = z.object({ type: z.literal('error'), message: z.string() });
const MonitorMessage = z.union([MonitorCoverageMessage, MonitorJobEvent, MonitorDataReady, MonitorError]);
export type MonitorMessage = z.infer<typeof MonitorMessage>;

const tags = ['monitor'];
const security = adminSecurity;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const monitorRoutes = {
  coverage: {
    summary: 'Per instrument and interval: first and last point, count, gaps and freshness',
    tags,
    querystring: z.object({ symbols: z.string().max(4000).optional().describe('comma-separated') }),
    response: { 200: Coverage, ...errorResponses },
  },
  feeds: {
    summary: 'Economic data, news and events: records, series/sources/instruments, date range and freshness',
    tags,
    response: { 200: Feeds, ...errorResponses },
  },
  schemas: {
    security,
    summary: 'Database schemas and their tables',
    tags,
    response: { 200: Schemas, ...errorResponses },
  },
  stats: {
    security,
    summary: 'Row count, size on disk and time span of every table of a schema',
    tags,
    params: SchemaParams,
    response: { 200: SchemaStats, ...errorResponses },
  },
  symbols: {
    security,
    summary: 'Per symbol: rows held in each table of a schema',
    tags,
    params: SchemaParams,
    response: { 200: SchemaSymbols, ...errorResponses },
  },
} as const;
