/** The daily risk report as one self-contained HTML page with inline SVG charts. */
import { describeVarConventions } from '../conventions.ts';
import type { RiskReport } from './build.ts';
import { barChart, escapeHtml, lineChart } from './svg.ts';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const musd = (x: number) => `$${(x / 1e6).toFixed(2)}M`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const LEVEL_COLOR = { critical: '#b91c1c', high: '#ea580c', medium: '#ca8a04', low: '#2563eb' } as const;
const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

export function renderRiskReportHtml(r: RiskReport): string {
  const s = r.summary;
  const composition = barChart(
    s.composition.map((c, i) => ({
      label: `${c.asset} (${c.kind})`,
      value: c.exposure,
      color: PALETTE[i % PALETTE.length],
    })),
    { format: (v) => `${musd(v)} (${((v / Math.max(1, s.coverage + s.holdings)) * 100).toFixed(0)} %)` },
  );
  const varChart = barChart(
    [
      { label: 'Expected loss', value: r.var.expected_loss, color: '#16a34a' },
      { label: 'VaR 95 %', value: r.var.var_95, color: '#2563eb' },
      { label: 'CVaR 95 %', value: r.var.cvar_95, color: '#9333ea' },
      { label: 'VaR 99 %', value: r.var.var_99, color: '#ea580c' },
      { label: 'Worst simulated', value: r.var.worst_case, color: '#b91c1c' },
    ],
    { format: musd },
  );
  const stressChart = barChart(
    r.stress.results.map((x) => ({
      label: x.scenario,
      value: x.loss,
      color: x.loss > 0.5 * s.capital ? '#b91c1c' : '#ea580c',
    })),
    {
      format: (v) => `${musd(v)} (${((v / s.capital) * 100).toFixed(1)} %)`,
      reference: { value: 0.5 * s.capital, label: '50 % of capital' },
    },
  );
  const trend = lineChart(
    r.var.trend.map((t) => ({ label: t.date, value: t.var_95 })),
    { format: musd },
  );
  const alerts = r.alerts
    .map(
      (a) =>
        `<li style="border-left:6px solid ${LEVEL_COLOR[a.level]};padding-left:8px"><b>${a.level.toUpperCase()}</b> ${escapeHtml(a.message)}</li>`,
    )
    .join('');
  const recs = r.recommendations.map((x) => `<li>${escapeHtml(x.message)}</li>`).join('');
  const h = r.historical;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Risk report ${escapeHtml(r.date)} — ${escapeHtml(r.portfolio)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;color:#111}h2{border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f3f4f6}
td:first-child,th:first-child{text-align:left}ul.alerts{list-style:none;padding:0}ul.alerts li{margin:6px 0}</style></head>
<body>
<h1>Daily risk report — ${escapeHtml(r.date)}</h1>
<p>Portfolio <b>${escapeHtml(r.portfolio)}</b>, generated ${escapeHtml(r.generated_at)}.</p>
<h2>Alerts</h2><ul class="alerts">${alerts}</ul>
<h2>Recommendations</h2><ul>${recs}</ul>
<h2>Portfolio summary</h2>
${table(
  ['Capital', 'Coverage', 'Holdings', 'Active policies', 'LTV', 'Utilisation', 'Diversification'],
  [
    [
      usd(s.capital),
      usd(s.coverage),
      usd(s.holdings),
      String(s.active_policies),
      pct(s.ltv),
      pct(s.utilization),
      s.diversification_score.toFixed(2),
    ],
  ],
)}
<h3>Composition</h3>${composition}
<h2>Value at Risk (${r.var.horizon_days}-calendar-day horizon, ${r.var.simulations.toLocaleString('en-US')} simulations)</h2>
<p class="conventions">${escapeHtml(describeVarConventions(r.var.conventions))}</p>
${table(
  ['VaR 95 %', 'VaR 99 %', 'CVaR 95 %', 'Expected loss', 'Worst', 'Best', 'Scenarios', 'Reserves (95 %)'],
  [
    [
      usd(r.var.var_95),
      usd(r.var.var_99),
      usd(r.var.cvar_95),
      usd(r.var.expected_loss),
      usd(r.var.worst_case),
      usd(r.var.best_case),
      String(r.var.scenarios_used),
      usd(r.var.reserves_for_var_95),
    ],
  ],
)}
${varChart}
<h3>VaR 95 % trend (30 days)</h3>${trend}
<p>Today vs 30-day average: ${pct(r.var.trend_pct)}${r.var.avg_30d === null ? '' : ` (average ${usd(r.var.avg_30d)})`}.</p>
<h2>Stress tests</h2>
${stressChart}
${table(
  ['Scenario', 'Type', 'Severity', 'p (annual)', 'Loss', '% of capital'],
  r.stress.results.map((x) => [
    x.scenario,
    x.type,
    String(x.severity_level),
    pct(x.probability_annual),
    usd(x.loss),
    pct(x.loss_pct_capital),
  ]),
)}
<p>Average stress loss ${usd(r.stress.average_loss)}; above ${pct(r.stress.threshold)} of capital: ${escapeHtml(r.stress.above_threshold.join(', ') || 'none')}.</p>
<h2>Historical comparison</h2>
<ul>
<li>VaR 95 % vs its 30-day average: ${pct(h.var_vs_30d_avg)}</li>
<li>Portfolio growth (coverage vs ~30 days ago): ${pct(h.portfolio_growth)}</li>
<li>New depeg events in the last 7 days: ${h.new_depeg_events_7d.length === 0 ? 'none' : escapeHtml(h.new_depeg_events_7d.map((e) => `${e.asset} ${e.start} (low ${e.min_price})`).join('; '))}</li>
<li>Correlation regime changes (|30-day − 90-day| &gt; 0.3): ${h.correlation_regime_changes.length === 0 ? 'none' : escapeHtml(h.correlation_regime_changes.map((c) => `${c.asset_1}/${c.asset_2} ${c.corr_90d.toFixed(2)} → ${c.corr_30d.toFixed(2)}`).join('; '))}</li>
</ul>
${modelsSection(r)}
<h2>Data sources</h2><pre>${escapeHtml(JSON.stringify(r.data_sources, null, 2))}</pre>
</body></html>
`;
}

/** Active models' depeg probabilities with their versions; models without an active version are named. */
function modelsSection(r: RiskReport): string {
  const m = r.models;
  if (!m) return '';
  const rows = m.models.flatMap((x) =>
    x.predictions.map((p) => [
      x.name,
      String(x.version),
      p.asset,
      p.ts.slice(0, 10),
      `${(p.probability * 100).toFixed(2)} %`,
    ]),
  );
  const inactive =
    m.inactive.length === 0
      ? ''
      : `<p>No active version (none trained, or none beat its baseline): ${escapeHtml(m.inactive.join(', '))}.</p>`;
  return `<h2>Model forecasts: P(next daily close &gt; 1 % off peg)</h2>
${rows.length === 0 ? '<p>No active model.</p>' : table(['Model', 'Version', 'Asset', 'Day', 'P(depeg)'], rows)}
${inactive}${m.note ? `<p>${escapeHtml(m.note)}</p>` : ''}`;
}
