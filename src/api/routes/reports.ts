import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import { getReportDocument, listReportDocuments } from '../../reports/store.ts';
import type { ReportKind } from '../../reports/types.ts';
import { useApiKeys } from '../api-keys.ts';
import { reportRoutes as contract } from '../contract/reports.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Stored SOD/EOD reports: the list, each one as HTML for the viewer, its PDF and its data. */
export const reportRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const db = readerOf(deps); // read-only routes: the replica when there is one

  async function find(kind: ReportKind, date: string) {
    const doc = await getReportDocument(db, kind, date);
    if (!doc)
      throw new NotFoundError(
        `no ${kind} report for ${date} (run \`marketpipe report ${kind} --date ${date}\`)`,
      );
    return doc;
  }

  app.get('/api/reports', { schema: contract.list }, async (req) => ({
    items: (await listReportDocuments(db, req.query.limit)).map(({ html_path: _h, pdf_path: _p, ...r }) => ({
      ...r,
      html_url: `/api/reports/${r.kind}/${r.date}`,
      pdf_url: `/api/reports/${r.kind}/${r.date}/pdf`,
      json_url: `/api/reports/${r.kind}/${r.date}/json`,
    })),
  }));

  app.get('/api/reports/:kind/:date', { schema: contract.html }, async (req, reply) => {
    const doc = await find(req.params.kind, req.params.date);
    return reply.type('text/html; charset=utf-8').send(doc.html);
  });

  app.get(
    '/api/reports/:kind/:date/json',
    { schema: contract.json },
    async (req) => (await find(req.params.kind, req.params.date)).summary,
  );

  app.get('/api/reports/:kind/:date/pdf', { schema: contract.pdf }, async (req, reply) => {
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
  });
};
