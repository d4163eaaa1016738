import { z } from 'zod';
import { errorResponses } from './common.ts';

/** Operations endpoints: `/health` (the process is up), `/ready` (the stores answer) and `/metrics`. */

const Health = z.object({
  status: z.string(),
  uptime_s: z.number(),
  config: z.object({ source: z.string(), degraded: z.boolean() }),
  db: z
    .object({ ok: z.boolean(), error: z.string().optional() })
    .describe('whether the store answered a probe within 250 ms (reused for 1 s)'),
});

/** A probe of a store: answered or not, how fast, and why not. */
const Ping = z.object({ ok: z.boolean(), latency_ms: z.number(), error: z.string().optional() });

const Ready = z.object({
  status: z.enum(['ready', 'unavailable']),
  error: z.string().optional(),
  message: z.string().optional(),
  db: Ping,
  read_db: Ping.optional().describe('the read replica (DATABASE_READ_URL), when there is one'),
  cache: z.object({ backend: z.string(), degraded: z.boolean(), hit_rate: z.number() }),
});

/** Route schemas (OpenAPI document, validation, serialisation). */
export const healthRoutes = {
  health: {
    summary: 'The process is up (the database may not be; see /ready)',
    tags: ['ops'],
    response: { 200: Health },
  },
  ready: {
    summary:
      'Ready to serve: the database and the read replica (when set) answer (503 when not); the cache state is reported',
    tags: ['ops'],
    response: { 200: Ready, 503: Ready, 500: errorResponses[500] },
  },
  metrics: {
    summary: 'Prometheus metrics (text exposition format)',
    tags: ['ops'],
    produces: ['text/plain'],
    response: { 200: z.string(), 500: errorResponses[500] },
  },
} as const;
