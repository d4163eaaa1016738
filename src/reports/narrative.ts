import { chatComplete, type LlmEndpoint } from '../chat/llm.ts';
import type { DailyReport } from './types.ts';

/**
 * An optional prose rewrite of the report by a language model. The facts include strategy signals and
 * portfolio risk, which are private, so only the LOCAL endpoint (LLM_LOCAL_BASE_URL) may be used. The
 * rule-based text stays in the report; the narrative is an extra paragraph.
 */

const NARRATIVE_PROMPT = `You write the short note that opens a market report for a trading desk.
Rewrite the facts below into at most 120 words of plain prose. Use only the numbers given; add no advice
beyond the signals listed.`;

/** The facts given to the model, one per line (all from the report's numbers). */
function narrativeFacts(r: DailyReport): string {
  const lines = [`${r.title}.`, r.headline];
  for (const s of r.signals.filter((x) => x.action !== 'hold').slice(0, 8)) {
    lines.push(`${s.strategy} on ${s.symbol}: ${s.action.toUpperCase()} — ${s.reasoning}`);
  }
  if (r.risk.var_95 !== null)
    lines.push(`Portfolio VaR 95 %: ${Math.round(r.risk.var_95)} USD (risk report of ${r.risk.date}).`);
  for (const a of r.risk.alerts) lines.push(`Risk alert (${a.level}): ${a.message}`);
  lines.push(
    `Data quality: ${r.quality.passed} of ${r.quality.total_checks} checks passed, ${r.quality.quarantined_total} rows quarantined.`,
  );
  return lines.join('\n');
}

export async function writeNarrative(
  r: DailyReport,
  local: LlmEndpoint,
  timeoutMs = 60_000,
): Promise<string> {
  if (local.kind !== 'local') throw new Error('the report narrative may only use the local model');
  const text = await chatComplete(local, NARRATIVE_PROMPT, narrativeFacts(r), {
    timeoutMs,
    temperature: 0.2,
  });
  return text.trim();
}
