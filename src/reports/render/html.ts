import { escapeHtml } from '../../risk/report/svg.ts';
import type { DailyReport, InstrumentMove } from '../types.ts';
import { linesSvg, signedBarsSvg } from './charts.ts';

const e = escapeHtml;
const pct = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} %`);
const money = (v: number | null) =>
  v === null
    ? '–'
    : v.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const price = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(5));
const cls = (v: number | null) => (v === null ? '' : v >= 0 ? 'up' : 'down');

function moversTable(list: readonly InstrumentMove[]): string {
  if (list.length === 0) return '<p class="muted">none</p>';
  return `<table><tr><th>Symbol</th><th>Class</th><th>Close</th><th>Day</th><th>30 days</th></tr>${list
    .map(
      (m) =>
        `<tr><td>${e(m.symbol)}</td><td>${e(m.asset_class)}</td><td class="num">${price(m.close)}</td><td class="num ${cls(m.change)}">${pct(m.change)}</td><td class="num ${cls(m.change_30d)}">${pct(m.change_30d)}</td></tr>`,
    )
    .join('')}</table>`;
}

/** The report as one self-contained HTML page (inline CSS and SVG charts), for the viewer and the email body. */
export function renderReportHtml(r: DailyReport): string {
  const market = r.market
    .map(
      (m) =>
        `<tr><td>${e(m.asset_class)}</td><td class="num">${m.instruments}</td><td class="num">${m.advancers} / ${m.decliners}</td><td class="num ${cls(m.avg_change)}">${pct(m.avg_change)}</td><td>${m.best ? `${e(m.best.symbol)} ${pct(m.best.change)}` : '–'}</td><td>${m.worst ? `${e(m.worst.symbol)} ${pct(m.worst.change)}` : '–'}</td></tr>`,
    )
    .join('');
  const actionable = r.signals.filter((s) => s.action !== 'hold');
  const holds = r.signals.length - actionable.length;
  const signals = actionable.length
    ? `<table><tr><th>Strategy</th><th>Symbol</th><th>Signal</th><th>Why</th></tr>${actionable
        .map(
          (s) =>
            `<tr><td>${e(s.strategy)}</td><td>${e(s.symbol)}</td><td class="${s.action === 'buy' ? 'up' : 'down'}"><b>${s.action.toUpperCase()}</b></td><td>${e(s.reasoning)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p class="muted">No strategy changes its position today.</p>';
  const holdList = r.signals
    .filter((s) => s.action === 'hold')
    .slice(0, 12)
    .map((s) => `<li><b>${e(s.strategy)} ${e(s.symbol)}</b>: ${e(s.reasoning)}</li>`)
    .join('');
  const skipped = r.signals_skipped.map((s) => `<li>${e(s.strategy)}: ${e(s.reason)}</li>`).join('');
  const risk = r.risk;
  const alerts = risk.alerts.length
    ? `<ul>${risk.alerts.map((a) => `<li class="alert-${e(a.level)}"><b>${e(a.level)}</b> ${e(a.message)}</li>`).join('')}</ul>`
    : '<p class="muted">No risk alerts.</p>';
  const q = r.quality;
  const rules = Object.entries(q.quarantined_by_rule)
    .map(([rule, n]) => `${e(rule)}: ${n}`)
    .join(', ');
  const qErrors = q.errors.length
    ? `<ul>${q.errors.map((x) => `<li>${e(x.check_name)}: ${e(x.error_message)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(r.title)}</title>
<style>
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:900px;margin:24px auto;padding:0 16px;color:#1f2328}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}.up{color:#1a7f37}.down{color:#cf222e}.muted{color:#656d76}
.alert-critical,.alert-high{color:#cf222e}.alert-medium{color:#9a6700}.kpi{display:inline-block;margin-right:24px}
.kpi b{display:block;font-size:18px}
</style></head><body>
<h1>${e(r.title)}</h1>
<p class="muted">Data up to ${e(r.as_of)} · generated ${e(r.generated_at)}</p>
<p id="headline"><b>${e(r.headline)}</b></p>
${r.narrative ? `<p id="narrative">${e(r.narrative)}</p>` : ''}

<h2>Market summary by asset class</h2>
<table><tr><th>Asset class</th><th>Instruments</th><th>Up / down</th><th>Average day</th><th>Best</th><th>Worst</th></tr>${market}</table>
${r.charts.classes.length ? signedBarsSvg(r.charts.classes, 'Average day change by asset class') : ''}
${r.charts.lines.length ? linesSvg(r.charts.lines, 'Last 30 closes, rebased to 100') : ''}

<h2>Movers</h2>
<h3>Gainers</h3>${moversTable(r.movers.gainers)}
<h3>Losers</h3>${moversTable(r.movers.losers)}
${r.charts.movers.length ? signedBarsSvg(r.charts.movers, 'Day change of the movers') : ''}

<h2>Strategy signals</h2>
${signals}
${holdList ? `<details><summary>${holds} holding position(s)</summary><ul>${holdList}</ul></details>` : ''}
${skipped ? `<p class="muted">Not evaluated:</p><ul class="muted">${skipped}</ul>` : ''}

<h2>Risk snapshot</h2>
${
  risk.date
    ? `<p><span class="kpi">VaR 95 %<b>${money(risk.var_95)}</b></span><span class="kpi">VaR 99 %<b>${money(risk.var_99)}</b></span><span class="kpi">CVaR 95 %<b>${money(risk.cvar_95)}</b></span><span class="kpi">Capital<b>${money(risk.capital)}</b></span><span class="kpi">LTV<b>${risk.ltv === null ? '–' : `${(risk.ltv * 100).toFixed(1)} %`}</b></span></p>
<p class="muted">Portfolio ${e(risk.portfolio ?? '')}, risk report of ${e(risk.date)}${risk.note ? ` (${e(risk.note)})` : ''}</p>
<p class="muted">${e(risk.var_method ?? '')}</p>`
    : `<p class="muted">${e(risk.note ?? 'no risk report')}</p>`
}
${alerts}

<h2>Data quality</h2>
<p>${q.passed} of ${q.total_checks} checks passed${q.overall_valid ? '' : ` — <b class="down">${q.failed} failed</b>`}; ${q.quarantined_total} row(s) in quarantine${rules ? ` (${rules})` : ''}.</p>
${qErrors}
</body></html>
`;
}
