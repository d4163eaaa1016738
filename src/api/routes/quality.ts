import type { FastifyPluginAsync } from 'fastify';
import { countQuarantineByRule, listQuarantine } from '../../quality/quarantine.ts';
import { saveValidationReport, type ValidationReport, validateStore } from '../../quality/validate.ts';
import type { Queryable } from '../../store/db.ts';
import { useApiKeys } from '../api-keys.ts';
import { qualityRoutes as contract } from '../contract/quality.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** The newest stored validation report (JSON, or its text on drivers that hand jsonb back as text). */
async function latestStoredReport(db: Queryable): Promise<unknown> {
  const res = await db.query<{ report: unknown }>(
    'SELECT report FROM ops.validation_reports ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  return res.rows[0]?.report;
}

/** Data quality: the latest validation report, the quarantine, and the cache's own counters. */
export const qualityRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  // Validating stores its report: the primary. Reading the stored report and the quarantine: the replica.
  const db = deps.db;
  const reader = readerOf(deps);
  let validating: Promise<ValidationReport> | undefined;

  app.get('/api/quality/report', { schema: contract.report }, async (req) => {
    if (!req.query.fresh) {
      // A report stored a moment ago may not be on the replica yet: ask the primary before validating again.
      let raw = await latestStoredReport(reader);
      if (raw === undefined && reader !== db) raw = await latestStoredReport(db);
      if (raw !== undefined) {
        // jsonb saveValidationReport wrote (a ValidationReport); the query reads it untyped.
        const report = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ValidationReport;
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
  });

  app.get('/api/quarantine', { schema: contract.quarantine }, async (req) => ({
    counts: await countQuarantineByRule(reader),
    items: await listQuarantine(reader, {
      rule: req.query.rule,
      symbol: req.query.symbol,
      limit: req.query.limit,
    }),
  }));

  app.get('/api/cache/stats', { schema: contract.cacheStats }, async () => deps.cache.stats());
};
