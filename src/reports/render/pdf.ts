import PDFDocument from 'pdfkit';
import type { DailyReport } from '../types.ts';
import { DOWN, PALETTE, spreadLabels, UP } from './charts.ts';

/**
 * The report as a PDF for the email attachment, drawn with PDFKit (pure JS, its standard fonts ship in
 * the package): the same sections as the HTML, charts drawn with vector primitives.
 */

type Doc = PDFKit.PDFDocument;

const pct = (v: number | null) => (v === null ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} %`);
const money = (v: number | null) => (v === null ? '-' : `$${Math.round(v).toLocaleString('en-US')}`);
/** Text the standard PDF fonts can draw (WinAnsi): common punctuation mapped, anything else as '?'. */
function pdfText(s: string): string {
  return s
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[^\t\n\r\x20-\x7e\xa0-\xff]/g, '?');
}
const LEFT = 50;
const WIDTH = 495;

function heading(doc: Doc, text: string): void {
  if (doc.y > 700) doc.addPage();
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).fillColor('#1f2328').text(text, LEFT);
  doc
    .moveTo(LEFT, doc.y + 2)
    .lineTo(LEFT + WIDTH, doc.y + 2)
    .strokeColor('#d0d7de')
    .stroke();
  doc.moveDown(0.4).font('Helvetica').fontSize(9.5);
}

/** Fixed-width columns of text. */
function table(doc: Doc, headers: string[], rows: string[][], widths: number[]): void {
  const line = (cells: string[], bold: boolean) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    let x = LEFT;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    let h = 0;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 80;
      doc.text(c, x, y, { width: w - 6 });
      h = Math.max(h, doc.y - y);
      x += w;
    });
    doc.x = LEFT;
    doc.y = y + h + 2;
  };
  line(headers, true);
  for (const r of rows) line(r, false);
  doc.font('Helvetica');
}

function signedBars(doc: Doc, bars: readonly { label: string; value: number }[], title: string): void {
  if (bars.length === 0) return;
  const row = 14;
  const height = bars.length * row + 20;
  if (doc.y + height > 780) doc.addPage();
  const top = doc.y;
  doc.font('Helvetica-Bold').fontSize(9.5).fillColor('#1f2328').text(title, LEFT, top);
  const labelW = 80;
  const valueW = 60;
  const plot = WIDTH - labelW - valueW;
  const zero = LEFT + labelW + plot / 2;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  doc.font('Helvetica').fontSize(8.5);
  bars.forEach((b, i) => {
    const y = top + 16 + i * row;
    const w = (Math.abs(b.value) / max) * (plot / 2);
    doc.fillColor('#1f2328').text(b.label, LEFT, y + 1, { width: labelW - 6, align: 'right' });
    doc.rect(b.value >= 0 ? zero : zero - w, y, Math.max(0.5, w), row - 4).fill(b.value >= 0 ? UP : DOWN);
    doc
      .fillColor('#1f2328')
      .text(pct(b.value), LEFT + WIDTH - valueW, y + 1, { width: valueW, align: 'right' });
  });
  doc
    .moveTo(zero, top + 14)
    .lineTo(zero, top + height - 4)
    .strokeColor('#8c959f')
    .stroke();
  doc.x = LEFT;
  doc.y = top + height + 4;
}

function lines(doc: Doc, series: readonly { label: string; values: number[] }[], title: string): void {
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return;
  const height = 150;
  if (doc.y + height > 780) doc.addPage();
  const top = doc.y;
  doc.font('Helvetica-Bold').fontSize(9.5).fillColor('#1f2328').text(title, LEFT, top);
  const box = { x: LEFT + 30, y: top + 16, w: WIDTH - 110, h: height - 30 };
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const len = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => box.x + (i / Math.max(1, len - 1)) * box.w;
  const py = (v: number) => box.y + (1 - (v - lo) / span) * box.h;
  doc.rect(box.x, box.y, box.w, box.h).strokeColor('#d0d7de').stroke();
  doc.font('Helvetica').fontSize(8).fillColor('#656d76');
  doc.text(hi.toFixed(0), LEFT, box.y - 3, { width: 26, align: 'right' });
  doc.text(lo.toFixed(0), LEFT, box.y + box.h - 6, { width: 26, align: 'right' });
  const labelY = spreadLabels(
    series.map((s) => py(s.values[s.values.length - 1] ?? 100) - 4),
    10,
  );
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length] ?? '#0969da';
    s.values.forEach((v, i) => {
      if (i === 0) doc.moveTo(px(i), py(v));
      else doc.lineTo(px(i), py(v));
    });
    doc.strokeColor(color).lineWidth(1.2).stroke().lineWidth(1);
    const last = s.values[s.values.length - 1] ?? 100;
    doc
      .fillColor(color)
      .text(`${s.label} ${last.toFixed(1)}`, box.x + box.w + 6, labelY[k] ?? 0, { width: 80 });
  });
  doc.fillColor('#1f2328');
  doc.x = LEFT;
  doc.y = top + height + 6;
}

export function renderReportPdf(r: DailyReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: LEFT,
    info: { Title: r.title, Author: 'marketpipe', CreationDate: new Date(r.generated_at) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(r.title);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#656d76')
    .text(`Data up to ${r.as_of} - generated ${r.generated_at}`);
  doc.moveDown(0.5).fillColor('#1f2328').font('Helvetica-Bold').fontSize(10.5).text(r.headline);
  if (r.narrative) doc.moveDown(0.4).font('Helvetica').fontSize(10).text(pdfText(r.narrative));

  heading(doc, 'Market summary by asset class');
  table(
    doc,
    ['Asset class', 'Instruments', 'Up / down', 'Average day', 'Best', 'Worst'],
    r.market.map((m) => [
      m.asset_class,
      String(m.instruments),
      `${m.advancers} / ${m.decliners}`,
      pct(m.avg_change),
      m.best ? `${m.best.symbol} ${pct(m.best.change)}` : '-',
      m.worst ? `${m.worst.symbol} ${pct(m.worst.change)}` : '-',
    ]),
    [85, 65, 65, 75, 100, 100],
  );
  doc.moveDown(0.5);
  signedBars(doc, r.charts.classes, 'Average day change by asset class');
  lines(doc, r.charts.lines, 'Last 30 closes, rebased to 100');

  heading(doc, 'Movers');
  const movers = [...r.movers.gainers, ...r.movers.losers];
  table(
    doc,
    ['Symbol', 'Class', 'Close', 'Day', '30 days'],
    movers.map((m) => [m.symbol, m.asset_class, m.close.toFixed(2), pct(m.change), pct(m.change_30d)]),
    [90, 90, 100, 100, 100],
  );
  doc.moveDown(0.5);
  signedBars(doc, r.charts.movers, 'Day change of the movers');

  heading(doc, 'Strategy signals');
  const actionable = r.signals.filter((s) => s.action !== 'hold');
  if (actionable.length === 0) doc.text('No strategy changes its position today.');
  table(
    doc,
    ['Strategy', 'Symbol', 'Signal', 'Why'],
    actionable.map((s) => [s.strategy, s.symbol, s.action.toUpperCase(), pdfText(s.reasoning)]),
    [85, 60, 45, 305],
  );
  const holds = r.signals.length - actionable.length;
  if (holds > 0)
    doc.moveDown(0.3).fillColor('#656d76').text(`${holds} position(s) unchanged.`).fillColor('#1f2328');

  heading(doc, 'Risk snapshot');
  const risk = r.risk;
  if (risk.date) {
    doc.text(
      `VaR 95 %: ${money(risk.var_95)}   VaR 99 %: ${money(risk.var_99)}   CVaR 95 %: ${money(risk.cvar_95)}   Capital: ${money(risk.capital)}   LTV: ${risk.ltv === null ? '-' : `${(risk.ltv * 100).toFixed(1)} %`}`,
    );
    doc
      .fillColor('#656d76')
      .text(
        `Portfolio ${risk.portfolio ?? ''}, risk report of ${risk.date}${risk.note ? ` (${risk.note})` : ''}`,
      );
    if (risk.var_method) doc.text(risk.var_method);
    doc.fillColor('#1f2328');
  } else doc.text(risk.note ?? 'no risk report');
  for (const a of risk.alerts) doc.text(`[${a.level}] ${a.message}`);

  heading(doc, 'Data quality');
  const q = r.quality;
  doc.text(
    `${q.passed} of ${q.total_checks} checks passed${q.overall_valid ? '' : `, ${q.failed} failed`}; ${q.quarantined_total} row(s) in quarantine.`,
  );
  for (const x of q.errors.slice(0, 10)) doc.text(`${x.check_name}: ${x.error_message}`);

  doc.end();
  return done;
}
