import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { INTERVALS } from '../../core/types.ts';
import { CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat, exportFileName } from '../../export/formats.ts';
import { EXPORT_DATASETS, type ExportDataset, type ExportFilter } from '../../store/repos/export.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses } from './common.ts';

interface ExportQuery {
  format: ExportFormat;
  symbols?: string;
  from?: string;
  to?: string;
  interval?: string;
}

/**
 * `GET /api/export/:dataset?format=csv|parquet|xlsx` — the table as a download (`Content-Disposition`),
 * streamed page by page like `marketpipe export`. Errors found before the first byte are 4xx JSON; a
 * failure mid-stream aborts the response (a truncated file is never passed off as complete).
 */
export const exportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get<{ Params: { dataset: ExportDataset }; Querystring: ExportQuery }>(
    '/api/export/:dataset',
    {
      schema: {
        summary: 'Download a table as CSV, Parquet or XLSX (streamed)',
        tags: ['export'],
        params: {
          type: 'object',
          properties: { dataset: { type: 'string', enum: [...EXPORT_DATASETS] } },
          required: ['dataset'],
        },
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv' },
            symbols: { type: 'string', maxLength: 2000, description: 'comma-separated symbols' },
            from: { type: 'string', maxLength: 40, description: 'ISO date/time, inclusive' },
            to: { type: 'string', maxLength: 40, description: 'ISO date/time, exclusive' },
            interval: { type: 'string', enum: [...INTERVALS] },
          },
        },
        response: { 200: { description: 'the file', type: 'string', format: 'binary' }, ...errorResponses },
      },
    },
    async (req, reply) => {
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
      return reply
        .header('content-type', CONTENT_TYPES[q.format])
        .header('content-disposition', `attachment; filename="${exportFileName(dataset, q.format, filter)}"`)
        .send(body);
    },
  );
};
