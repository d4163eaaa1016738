import OpenAI from 'openai';
import { UnavailableError } from '../core/errors.ts';
import type { Settings } from '../settings.ts';
import { QueryRefusedError } from './errors.ts';

/**
 * The model behind the chat: any OpenAI-compatible chat-completions endpoint, through the official
 * `openai` client with a base URL. Two endpoints: `cloud` (LLM_BASE_URL) and `local` (LLM_LOCAL_BASE_URL,
 * e.g. Ollama or llama.cpp). Questions about private data (execution, strategies, config, portfolios)
 * go to the local one only; without a local endpoint they are refused.
 */

export type EndpointKind = 'cloud' | 'local';

export interface LlmEndpoint {
  kind: EndpointKind;
  baseUrl: string;
  apiKey?: string;
  model: string;
}

export type LlmSettings = Pick<Settings, 'llm' | 'llmLocal'>;

const DEFAULT_MODEL: Record<EndpointKind, string> = { cloud: 'gpt-4o-mini', local: 'llama3.1' };

/** Words that make a question private, and the private area each names. */
const PRIVATE_TOPICS: readonly [RegExp, string][] = [
  [/\b(executions?|executed|orders?|fills?|filled)\b/i, 'execution'],
  [/\b(strateg\w*|signals?|backtests?)\b/i, 'strategies'],
  [/\b(config\w*|parameters?|settings?|thresholds?)\b/i, 'config'],
  [/\b(portfolios?|positions?|holdings?|exposures?)\b/i, 'risk.portfolios'],
];

/** The private area a question touches (e.g. `strategies`), or null. */
export function privateTopic(question: string): string | null {
  for (const [re, topic] of PRIVATE_TOPICS) if (re.test(question)) return topic;
  return null;
}

function endpoint(kind: EndpointKind, s: LlmSettings['llm']): LlmEndpoint | null {
  if (!s.baseUrl) return null;
  return { kind, baseUrl: s.baseUrl, apiKey: s.apiKey, model: s.model ?? DEFAULT_MODEL[kind] };
}

export interface Route {
  endpoint: LlmEndpoint;
  /** The question touches private data (so only the local model sees it, with the private schemas). */
  private: boolean;
  topic: string | null;
}

/** Picks the endpoint for a question; QueryRefusedError when none may answer it. */
export function routeQuestion(question: string, settings: LlmSettings): Route {
  const topic = privateTopic(question);
  const local = endpoint('local', settings.llmLocal);
  const cloud = endpoint('cloud', settings.llm);
  if (topic) {
    if (!local)
      throw new QueryRefusedError(
        `the question touches private data (${topic}), which never goes to the cloud model, and no local model is configured (LLM_LOCAL_BASE_URL)`,
      );
    return { endpoint: local, private: true, topic };
  }
  const chosen = cloud ?? local;
  if (!chosen)
    throw new QueryRefusedError('no language model is configured (LLM_BASE_URL or LLM_LOCAL_BASE_URL)');
  return { endpoint: chosen, private: false, topic: null };
}

export interface ModelAnswer {
  sql: string;
  explanation: string;
}

/**
 * Reads the model's reply: a JSON object `{sql, explanation}` (possibly in a ```json fence), or a
 * ```sql fence with the explanation around it.
 */
export function parseModelAnswer(text: string): ModelAnswer {
  const trimmed = text.trim();
  const jsonText = /```(?:json)?\s*(\{[\s\S]*\})\s*```/i.exec(trimmed)?.[1] ?? trimmed;
  if (jsonText.startsWith('{')) {
    try {
      const o = JSON.parse(jsonText) as { sql?: unknown; explanation?: unknown };
      if (typeof o.sql === 'string' && o.sql.trim()) {
        return {
          sql: o.sql.trim(),
          explanation: typeof o.explanation === 'string' ? o.explanation.trim() : '',
        };
      }
    } catch {
      // not JSON: fall through to the fenced-SQL form
    }
  }
  const fence = /```sql\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1]) {
    const explanation = trimmed.replace(fence[0], ' ').replace(/\s+/g, ' ').trim();
    return { sql: fence[1].trim(), explanation };
  }
  if (/^\s*(select|with)\b/i.test(trimmed)) return { sql: trimmed, explanation: '' };
  throw new QueryRefusedError('the model did not answer with SQL');
}

const SYSTEM_PROMPT = `You translate questions about a market-data store into ONE PostgreSQL SELECT statement.
Rules: only SELECT (CTEs allowed, never WITH RECURSIVE); always schema-qualify tables; never modify data;
prefer aggregates and LIMIT; timestamps are UTC (timestamptz).
Answer with a JSON object only: {"sql": "...", "explanation": "one or two sentences"}.`;

export interface CompleteOptions {
  /** Request timeout in milliseconds. @defaultValue 60000 */
  timeoutMs?: number;
}

/** One chat completion (system + user message) → the reply text; UnavailableError when the endpoint fails. */
export async function chatComplete(
  ep: LlmEndpoint,
  system: string,
  user: string,
  opts: CompleteOptions & { temperature?: number } = {},
): Promise<string> {
  const client = new OpenAI({
    baseURL: ep.baseUrl,
    apiKey: ep.apiKey ?? 'not-needed',
    timeout: opts.timeoutMs ?? 60_000,
    maxRetries: 1,
  });
  try {
    const res = await client.chat.completions.create({
      model: ep.model,
      temperature: opts.temperature ?? 0,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
    });
    return res.choices[0]?.message?.content ?? '';
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UnavailableError(`the ${ep.kind} model at ${new URL(ep.baseUrl).host} failed: ${reason}`, {
      cause: err,
    });
  }
}

/** The local endpoint from settings, or null (for private material: strategies, portfolios). */
export function localEndpoint(settings: LlmSettings): LlmEndpoint | null {
  return endpoint('local', settings.llmLocal);
}

/** Asks `endpoint` for SQL answering `question` given the schema context. */
export async function askModel(
  ep: LlmEndpoint,
  question: string,
  context: string,
  opts: CompleteOptions = {},
): Promise<ModelAnswer> {
  const content = await chatComplete(ep, `${SYSTEM_PROMPT}\n\n${context}`, question, opts);
  if (!content) throw new QueryRefusedError('the model returned an empty answer');
  return parseModelAnswer(content);
}
