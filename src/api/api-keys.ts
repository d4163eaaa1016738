import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../core/errors.ts';
import type { AppDeps } from './deps.ts';
import { RateLimitedError } from './errors.ts';
import { LocalWindowCounter, retryAfterSeconds, type WindowCounter } from './rate-window.ts';

/** Requests per minute per API key on the data routes. @defaultValue 600 */
export const DEFAULT_KEY_RATE_LIMIT = 600;

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * The id a key's window is counted under: a short digest, so the raw key never reaches Redis, and stable
 * whatever the order of `API_KEYS` in each process (an index would not be during a rolling change).
 */
const windowId = (key: string): string =>
  `key:${createHash('sha256').update('marketpipe:api_rate:').update(key).digest('hex').slice(0, 16)}`;

/** The window of a key's budget (ms). */
const WINDOW_MS = 60_000;

/** 429 for a key over its budget, with the seconds until its window ends (for Retry-After). */
class KeyRateLimitedError extends RateLimitedError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * The optional API-key gate of the data routes: when `settings.apiKeys` (env `API_KEYS`) is non-empty every
 * data request carries one in the `x-api-key` header (WebSocket upgrades may use `?api_key=`, browsers
 * cannot set headers there), and each key gets `perMinute` requests per fixed one-minute window, counted by `windows`
 * (in-process, or shared by every process through Redis). With no keys configured the routes are open and
 * unlimited (local use).
 */
class ApiKeyGate {
  private readonly keys: Buffer[];
  private readonly ids: string[];

  constructor(
    keys: readonly string[],
    private readonly perMinute = DEFAULT_KEY_RATE_LIMIT,
    private readonly windows: WindowCounter = new LocalWindowCounter(),
  ) {
    this.keys = keys.map(digest);
    this.ids = keys.map(windowId);
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Which configured key `presented` is (its index), or -1. Compares digests in constant time. */
  private match(presented: string): number {
    const d = digest(presented);
    let found = -1;
    this.keys.forEach((k, i) => {
      if (timingSafeEqual(k, d)) found = i;
    });
    return found;
  }

  /**
   * Throws UnauthorizedError (401) or KeyRateLimitedError (429); returns the key's index, or -1 when open.
   */
  async check(presented: string | undefined): Promise<number> {
    if (!this.enabled) return -1;
    if (!presented) throw new UnauthorizedError('missing API key (header x-api-key)');
    const index = this.match(presented);
    const id = this.ids[index];
    if (id === undefined) throw new UnauthorizedError('unknown API key');
    const hit = await this.windows.hit(id, WINDOW_MS);
    if (hit.count > this.perMinute) {
      const retry = retryAfterSeconds(hit.resetInMs);
      throw new KeyRateLimitedError(
        `API key over its limit of ${this.perMinute} requests/min; retry in ${retry} s`,
        retry,
      );
    }
    return index;
  }
}

const gates = new WeakMap<AppDeps, ApiKeyGate>();

/** One gate per app (shared by every data route module, so a key's budget covers all of them). */
export function apiKeyGate(deps: AppDeps): ApiKeyGate {
  let gate = gates.get(deps);
  if (!gate) {
    gate = new ApiKeyGate(deps.settings.apiKeys ?? [], deps.apiKeyRateLimit, deps.rateWindows);
    gates.set(deps, gate);
  }
  return gate;
}

/**
 * The key a request presents. Only the `x-api-key` header counts, except on WebSocket upgrades, where a
 * browser cannot set headers: there `?api_key=` is read too (and redacted from every log line, errors.ts).
 * A key in the query string of a REST call would end up in proxies' and browsers' histories, so it is refused.
 */
function presentedKey(req: FastifyRequest, queryAllowed: boolean): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const q = req.query as Record<string, unknown> | undefined;
  if (q?.api_key === undefined) return undefined;
  if (!queryAllowed)
    throw new UnauthorizedError(
      'send the API key in the x-api-key header (?api_key= is only for WebSockets)',
    );
  return typeof q.api_key === 'string' ? q.api_key : undefined;
}

/**
 * Adds the key check to every route of `scope` (a route plugin). Nothing is added when no key is configured.
 * `queryParam`: also accept `?api_key=` (WebSocket routes only). @defaultValue false
 */
export function useApiKeys(scope: FastifyInstance, deps: AppDeps, opts: { queryParam?: boolean } = {}): void {
  const gate = apiKeyGate(deps);
  if (!gate.enabled) return;
  const queryAllowed = opts.queryParam ?? false;
  scope.addHook('onRequest', (req, reply) => checkApiKey(gate, req, reply, queryAllowed));
}

/**
 * The key check of one request: 401 without a configured key, 429 with Retry-After when the key is over its
 * budget. `queryAllowed`: also accept `?api_key=` (WebSocket routes only). @defaultValue false
 */
export async function checkApiKey(
  gate: ApiKeyGate,
  req: FastifyRequest,
  reply: FastifyReply,
  queryAllowed = false,
): Promise<void> {
  try {
    await gate.check(presentedKey(req, queryAllowed));
  } catch (err) {
    if (err instanceof KeyRateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
    throw err;
  }
}
