import { z } from 'zod';
import { EXPORT_FORMATS } from '../../export/formats.ts';
import { EXPORT_DATASETS } from '../../store/repos/export.ts';
import { errorResponses, INTERVALS, TimeText } from './common.ts';

/**
 * A table as a download (`GET /api/export/:dataset?format=csv|parquet|xlsx`), the request `marketpipe
 * export` mirrors.
 */

const oneOf = (list: readonly string[]) => ({ error: `expected one of ${list.join(', ')}` });

const ExportParams = z.object({ dataset: z.enum(EXPORT_DATASETS, oneOf(EXPORT_DATASETS)) });

const ExportQuery = z.object({
  format: z.enum(EXPORT_FORMATS, oneOf(EXPORT_FORMATS)).default('csv'),
  symbols: z.string().max(2000).optional().describe('comma-separated symbols'),
  from: TimeText.optional().describe('ISO date/time, inclusive'),
  to: TimeText.optional().describe('ISO date/time, exclusive'),
  interval: z.enum(INTERVALS, oneOf(INTERVALS)).optional(),
});

/** What `marketpipe export DATASET --format --interval` names, checked as the route checks it. */
export const ExportChoice = ExportParams.extend(ExportQuery.pick({ format: true, interval: true }).shape);

/** Route schemas (OpenAPI document, validation, serialisation). */
export const exportRoutes = {
  get: {
    summary: 'Download a table as CSV, Parquet or XLSX (streamed)',
    tags: ['export'],
    params: ExportParams,
    querystring: ExportQuery,
    response: { 200: z.string().meta({ format: 'binary' }).describe('the file'), ...errorResponses },
  },
} as const;
