import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ValidationError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { CONTENT_TYPES, exportFileName } from '../../export/formats.ts';
import type { ExportFilter } from '../../store/repos/export.ts';
import { useApiKeys } from '../api-keys.ts';
import { exportRoutes as contract } from '../contract/export.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/**
 * `GET /api/export/:dataset?format=csv|parquet|xlsx` — the table as a download (`Content-Disposition`),
 * streamed page by page like `marketpipe export`. Errors found before the first byte are 4xx JSON; a
 * failure mid-stream aborts the response (a truncated file is never passed off as complete).
 */
export const exportRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/export/:dataset', { schema: contract.get }, async (req, reply) => {
    const { dataset } = req.params;
    const q = req.query;
    const filter: ExportFilter = {
      symbols: q.symbols
        ?.split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
      from: q.from === undefined ? undefined : parseTime(q.from, 'from'),
      to: q.to === undefined ? undefined : parseTime(q.to, 'to'),
      interval: q.interval,
    };
    if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to)
      throw new ValidationError('from must be before to');
    // Loaded on use: the writers (exceljs, hyparquet-writer) are not needed to start the server.
    const { checkExportFilter, exportDataset } = await import('../../export/export.ts');
    await checkExportFilter(reader, dataset, filter);
    const body = new PassThrough();
    exportDataset(reader, dataset, q.format, filter, body).catch((err: unknown) => {
      req.log.error({ err, dataset }, 'export failed mid-stream');
      body.destroy(err instanceof Error ? err : new Error(String(err)));
    });
    // The file is a stream, not a document the response schema serialises.
    const raw: FastifyReply = reply;
    return raw
      .header('content-type', CONTENT_TYPES[q.format])
      .header('content-disposition', `attachment; filename="${exportFileName(dataset, q.format, filter)}"`)
      .send(body);
  });
};
