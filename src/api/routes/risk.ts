import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import { quote, runStress, runVar } from '../../risk/service.ts';
import { getReportJson, listReports } from '../../store/repos/risk.ts';
import { useApiKeys } from '../api-keys.ts';
import { riskRoutes as contract, type RiskReport } from '../contract/risk.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** A stored report is jsonb the report builder wrote (risk/report/build.ts); the repository reads it untyped. */

/** Risk answers: Monte Carlo VaR, stress tests, daily risk reports, depeg-cover quotes. */
export const riskRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  // VaR may store its run and stress stores the sample portfolio on first use (loadPortfolio): the primary.
  const db = deps.db;
  const reader = readerOf(deps);

  app.post('/api/risk/var', { schema: contract.var }, async (req) => {
    const b = req.body ?? { store: false };
    const run = await runVar(db, {
      config: deps.config,
      name: b.portfolio,
      simulations: b.simulations,
      seed: b.seed,
      date: b.date,
      store: b.store,
    });
    return { portfolio: run.portfolio.name, date: run.date, ...run.result, sources: run.sources };
  });

  app.get('/api/risk/stress', { schema: contract.stress }, async (req) =>
    runStress(db, { name: req.query.portfolio, threshold: req.query.threshold }),
  );

  app.get('/api/risk/reports', { schema: contract.reports }, async (req) => ({
    reports: await listReports(reader, req.query.limit),
  }));

  app.get('/api/risk/reports/latest', { schema: contract.latestReport }, async () => {
    const res = await reader.query<{ date: string }>(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date FROM risk.reports ORDER BY date DESC LIMIT 1`,
    );
    const date = res.rows[0]?.date;
    const doc = date ? await getReportJson(reader, date) : null;
    if (!doc) throw new NotFoundError('no risk report stored yet (run marketpipe risk report)');
    return doc as RiskReport;
  });

  app.get('/api/risk/reports/:date', { schema: contract.report }, async (req) => {
    // a calendar date: checked before the handler (date-params.ts)
    const doc = await getReportJson(reader, req.params.date);
    if (!doc) throw new NotFoundError(`no risk report for ${req.params.date}`);
    return doc as RiskReport;
  });

  app.get('/quote/:asset/:amount', { schema: contract.quote }, async (req) => {
    const { asset, amount } = req.params;
    const days = req.query.days;
    // This process's environment, with a percentage config canary chosen by the request's hash.
    const config = deps.config.forRequest(`${asset.toUpperCase()}:${amount}:${days ?? 30}`);
    return quote(reader, { asset, amount, days, config });
  });
};
