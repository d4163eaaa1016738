import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../core/errors.ts';
import type { AppDeps } from './app.ts';
import { RateLimitedError } from './errors.ts';

/** Requests per minute per API key on the data routes. @defaultValue 600 */
export const DEFAULT_KEY_RATE_LIMIT = 600;

/** OpenAPI security requirement of the data routes (the key is optional when none is configured). */
export const apiKeySecurity = [{ apiKey: [] }, {}];

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * The optional API-key gate of the data routes: when `settings.apiKeys` (env `API_KEYS`) is non-empty every
 * data request carries one in `x-api-key` (WebSocket upgrades may use `?api_key=`, browsers cannot set
 * headers there), and each key gets `perMinute` requests per fixed one-minute window. With no keys
 * configured the routes are open and unlimited (local use).
 */
export class ApiKeyGate {
  private readonly keys: Buffer[];
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    keys: readonly string[],
    private readonly perMinute = DEFAULT_KEY_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = keys.map(digest);
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

  /** Throws UnauthorizedError (401) or RateLimitedError (429); returns the key's index, or -1 when open. */
  check(presented: string | undefined): number {
    if (!this.enabled) return -1;
    if (!presented) throw new UnauthorizedError('missing API key (header x-api-key)');
    const index = this.match(presented);
    if (index < 0) throw new UnauthorizedError('unknown API key');
    const id = String(index);
    const t = this.now();
    let w = this.windows.get(id);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.windows.set(id, w);
    }
    w.count++;
    if (w.count > this.perMinute) {
      const retry = Math.ceil((w.start + 60_000 - t) / 1000);
      throw new RateLimitedError(
        `API key over its limit of ${this.perMinute} requests/min; retry in ${retry} s`,
      );
    }
    return index;
  }

  /** Seconds until the key's window resets (for Retry-After). */
  retryAfter(): number {
    let soonest = 60;
    const t = this.now();
    for (const w of this.windows.values())
      soonest = Math.min(soonest, Math.ceil((w.start + 60_000 - t) / 1000));
    return Math.max(1, soonest);
  }
}

const gates = new WeakMap<AppDeps, ApiKeyGate>();

/** One gate per app (shared by every data route module, so a key's budget covers all of them). */
export function apiKeyGate(deps: AppDeps): ApiKeyGate {
  let gate = gates.get(deps);
  if (!gate) {
    gate = new ApiKeyGate(deps.settings.apiKeys ?? [], deps.apiKeyRateLimit);
    gates.set(deps, gate);
  }
  return gate;
}

function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const q = req.query as Record<string, unknown> | undefined;
  return typeof q?.api_key === 'string' ? q.api_key : undefined;
}

/** Adds the key check to every route of `scope` (a route plugin). Nothing is added when no key is configured. */
export function useApiKeys(scope: FastifyInstance, deps: AppDeps): void {
  const gate = apiKeyGate(deps);
  if (!gate.enabled) return;
  scope.addHook('onRequest', async (req, reply) => {
    try {
      gate.check(presentedKey(req));
    } catch (err) {
      if (err instanceof RateLimitedError) void reply.header('retry-after', String(gate.retryAfter()));
      throw err;
    }
  });
}
