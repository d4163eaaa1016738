import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { getReportDocument, listReportDocuments } from '../../reports/store.ts';
import { isReportKind, REPORT_KINDS } from '../../reports/types.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { anyObject, errorResponses } from './common.ts';

/** Stored SOD/EOD reports: the list, each one as HTML for the viewer, its PDF and its data. */
export const reportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const db = readerOf(deps); // read-only routes: the replica when there is one

  const params = {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: [...REPORT_KINDS] },
      date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    },
    required: ['kind', 'date'],
  } as const;

  async function find(kind: string, date: string) {
    if (!isReportKind(kind))
      throw new ValidationError(`kind must be sod or eod, got ${JSON.stringify(kind)}`);
    const doc = await getReportDocument(db, kind, date);
    if (!doc)
      throw new NotFoundError(
        `no ${kind} report for ${date} (run \`marketpipe report ${kind} --date ${date}\`)`,
      );
    return doc;
  }

  app.get<{ Querystring: { limit: number } }>(
    '/api/reports',
    {
      schema: {
        summary: 'Stored SOD/EOD reports, newest first',
        tags: ['reports'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                  properties: {
                    kind: { type: 'string' },
                    date: { type: 'string' },
                    generated_at: { type: 'string' },
                    headline: { type: 'string' },
                    html_url: { type: 'string' },
                    pdf_url: { type: 'string' },
                    emailed_to: { type: 'array', items: { type: 'string' } },
                    emailed_at: { type: ['string', 'null'] },
                  },
                },
              },
            },
            required: ['items'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (await listReportDocuments(db, req.query.limit)).map(
        ({ html_path: _h, pdf_path: _p, ...r }) => ({
          ...r,
          html_url: `/api/reports/${r.kind}/${r.date}`,
          pdf_url: `/api/reports/${r.kind}/${r.date}/pdf`,
          json_url: `/api/reports/${r.kind}/${r.date}/json`,
        }),
      ),
    }),
  );

  app.get<{ Params: { kind: string; date: string } }>(
    '/api/reports/:kind/:date',
    {
      schema: {
        summary: 'One report as a self-contained HTML page (inline SVG charts)',
        tags: ['reports'],
        params,
        produces: ['text/html'],
        response: { 200: { type: 'string' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const doc = await find(req.params.kind, req.params.date);
      return reply.type('text/html; charset=utf-8').send(doc.html);
    },
  );

  app.get<{ Params: { kind: string; date: string } }>(
    '/api/reports/:kind/:date/json',
    {
      schema: {
        summary: 'One report as data (the shape of `report --json`)',
        tags: ['reports'],
        params,
        response: { 200: anyObject, ...errorResponses },
      },
    },
    async (req) => (await find(req.params.kind, req.params.date)).summary,
  );

  app.get<{ Params: { kind: string; date: string } }>(
    '/api/reports/:kind/:date/pdf',
    {
      schema: {
        summary: 'One report as PDF (the email attachment)',
        tags: ['reports'],
        params,
        produces: ['application/pdf'],
      },
    },
    async (req, reply) => {
      const doc = await find(req.params.kind, req.params.date);
      if (!doc.pdf_path)
        throw new NotFoundError(`the ${req.params.kind} report of ${req.params.date} has no PDF`);
      const pdf = await readFile(doc.pdf_path).catch((cause: unknown) => {
        throw new NotFoundError(`the PDF file ${doc.pdf_path} is gone; run the report again`, { cause });
      });
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${req.params.kind}_report_${req.params.date}.pdf"`)
        .send(pdf);
    },
  );
};
