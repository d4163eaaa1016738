import type { FastifyPluginAsync } from 'fastify';
import { countQuarantineByRule, listQuarantine } from '../../quality/quarantine.ts';
import { saveValidationReport, type ValidationReport, validateStore } from '../../quality/validate.ts';
import type { Queryable } from '../../store/db.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { anyObject, errorResponses } from './common.ts';

/** The newest stored validation report (JSON, or its text on drivers that hand jsonb back as text). */
async function latestStoredReport(db: Queryable): Promise<unknown> {
  const res = await db.query<{ report: unknown }>(
    'SELECT report FROM ops.validation_reports ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  return res.rows[0]?.report;
}

/** Data quality: the latest validation report, the quarantine, and the cache's own counters. */
export const qualityRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  // Validating stores its report: the primary. Reading the stored report and the quarantine: the replica.
  const db = deps.db;
  const reader = readerOf(deps);
  let validating: Promise<ValidationReport> | undefined;

  app.get<{ Querystring: { fresh: boolean } }>(
    '/api/quality/report',
    {
      schema: {
        summary: 'The latest stored validation report (shape of `validate --json`)',
        description:
          'From `ops.validation_reports`; when none is stored yet, or with `fresh=true`, the store is validated now (seconds on a large store; one run at a time) and the report stored.',
        tags: ['quality'],
        querystring: { type: 'object', properties: { fresh: { type: 'boolean', default: false } } },
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              total_checks: { type: 'integer' },
              passed: { type: 'integer' },
              failed: { type: 'integer' },
              overall_valid: { type: 'boolean' },
              errors: { type: 'array', items: anyObject },
              stored: { type: 'boolean', description: 'read from ops.validation_reports' },
            },
            required: ['total_checks', 'passed', 'failed', 'overall_valid', 'errors', 'stored'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (!req.query.fresh) {
        // A report stored a moment ago may not be on the replica yet: ask the primary before validating again.
        let raw = await latestStoredReport(reader);
        if (raw === undefined && reader !== db) raw = await latestStoredReport(db);
        if (raw !== undefined) {
          const report = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
          return { ...report, stored: true };
        }
      }
      // Validating a whole store takes seconds: one run at a time, stored, so the next request reads it.
      validating ??= validateStore(db)
        .then(async (report) => {
          await saveValidationReport(db, report);
          return report;
        })
        .finally(() => {
          validating = undefined;
        });
      return { ...(await validating), stored: false };
    },
  );

  app.get<{ Querystring: { rule?: string; symbol?: string; limit: number } }>(
    '/api/quarantine',
    {
      schema: {
        summary: 'Pending quarantined rows (newest first) and counts per rule',
        tags: ['quality'],
        querystring: {
          type: 'object',
          properties: {
            rule: { type: 'string', maxLength: 64 },
            symbol: { type: 'string', maxLength: 32 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              counts: { type: 'object', additionalProperties: { type: 'integer' } },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    symbol: { type: ['string', 'null'] },
                    interval: { type: ['string', 'null'] },
                    source: { type: 'string' },
                    rule: { type: 'string' },
                    reason: { type: 'string' },
                    raw: anyObject,
                    ts: { type: ['string', 'null'] },
                    created_at: { type: 'string' },
                  },
                },
              },
            },
            required: ['counts', 'items'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      counts: await countQuarantineByRule(reader),
      items: await listQuarantine(reader, {
        rule: req.query.rule,
        symbol: req.query.symbol,
        limit: req.query.limit,
      }),
    }),
  );

  app.get(
    '/api/cache/stats',
    {
      schema: {
        summary: 'Cache backend, hits, misses, hit rate, entries and whether it is degraded (Redis down)',
        tags: ['ops'],
        response: {
          200: {
            type: 'object',
            properties: {
              backend: { type: 'string' },
              hits: { type: 'integer' },
              misses: { type: 'integer' },
              sets: { type: 'integer' },
              hit_rate: { type: 'number' },
              entries: { type: ['integer', 'null'] },
              degraded: { type: 'boolean' },
              errors: { type: 'integer' },
            },
            required: ['backend', 'hits', 'misses', 'hit_rate', 'degraded'],
          },
          ...errorResponses,
        },
      },
    },
    async () => deps.cache.stats(),
  );
};
