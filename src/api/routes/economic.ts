import type { FastifyPluginAsync } from 'fastify';
import { readObservations, readReleases, requireSeries } from '../../store/repos/economic.ts';
import { useApiKeys } from '../api-keys.ts';
import { economicRoutes as contract } from '../contract/economic.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Economic indicators (FRED): series metadata, observations (latest vintage or as of a day), release dates. */
export const economicRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/economic/:series', { schema: contract.series }, async (req) => {
    const id = req.params.series.toUpperCase();
    const series = await requireSeries(reader, id);
    const observations = await readObservations(reader, id, {
      from: req.query.from,
      to: req.query.to,
      asOf: req.query.as_of,
      limit: req.query.limit,
    });
    const releases = await readReleases(reader, { series: id });
    return { series, observations, releases };
  });
};
