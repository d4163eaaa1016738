import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ConfigError, ForbiddenError, UnauthorizedError, ValidationError } from '../core/errors.ts';
import { RateLimitedError } from './errors.ts';
import type { WindowCounter } from './rate-window.ts';

/**
 * Admin authentication: HS256 JWT bearer tokens signed with `JWT_SECRET`, roles `admin` (read-write) and
 * `viewer` (read-only), expiry enforced, and a per-user request budget. Only HS256 is accepted, so
 * `alg: none` and tokens signed with any other algorithm or key are refused (401).
 */

const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who a verified token speaks for. */
export interface TokenClaims {
  user: string;
  role: Role;
  /** Expiry, Unix seconds. */
  exp: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on admin routes once the bearer token is verified. */
    user: TokenClaims | null;
  }
}

const MIN_SECRET_LENGTH = 32;
/**
 * Longest lifetime a token may have (exp − iat), in seconds: 30 days. A leaked token without a bound stays
 * valid for as long as the secret does; tokens lacking `iat`/`exp`, or living longer, are refused.
 */
export const MAX_TOKEN_TTL_SECONDS = 30 * 86_400;
const ISSUER = 'marketpipe';

/** The key for `secret`, or a ConfigError saying why the admin API cannot start. */
export function jwtKey(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `JWT_SECRET is ${secret ? `only ${secret.length} characters` : 'not set'}; the admin API needs at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return new TextEncoder().encode(secret);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** `90s`, `15m`, `1h`, `7d` or plain seconds → seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m?.[2] ?? ''];
  const n = Number(m?.[1]);
  if (!m || unit === undefined || !(n > 0)) {
    throw new ValidationError(`ttl must look like 90s, 15m, 1h or 7d, got ${JSON.stringify(text)}`);
  }
  return n * unit;
}

export interface CreateTokenOptions {
  secret: string | undefined;
  user: string;
  role: Role | string;
  /** Lifetime in seconds. @defaultValue 3600 */
  ttlSeconds?: number;
  /** Issue time, Unix seconds (tests). @defaultValue now */
  now?: number;
}

export async function createToken(o: CreateTokenOptions): Promise<string> {
  const key = jwtKey(o.secret);
  if (!o.user.trim()) throw new ValidationError('user must not be empty');
  if (!isRole(o.role))
    throw new ValidationError(`role must be admin or viewer, got ${JSON.stringify(o.role)}`);
  const ttl = o.ttlSeconds ?? 3600;
  if (ttl > MAX_TOKEN_TTL_SECONDS)
    throw new ValidationError(`ttl must be at most ${MAX_TOKEN_TTL_SECONDS / 86_400}d, got ${ttl} s`);
  const iat = o.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ role: o.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.user)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(key);
}

/** Verifies a token; UnauthorizedError with the reason when it is expired, forged or malformed. */
export async function verifyToken(token: string, key: Uint8Array): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      requiredClaims: ['exp', 'iat'],
    });
    if (!payload.sub || !isRole(payload.role) || typeof payload.exp !== 'number') {
      throw new UnauthorizedError('token lacks a user or a valid role');
    }
    if (typeof payload.iat !== 'number' || payload.exp - payload.iat > MAX_TOKEN_TTL_SECONDS) {
      throw new UnauthorizedError(`token lifetime exceeds ${MAX_TOKEN_TTL_SECONDS / 86_400} days`);
    }
    return { user: payload.sub, role: payload.role, exp: payload.exp };
  } catch (err) {
    if (err instanceof UnauthorizedError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new UnauthorizedError('token expired', { cause: err });
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      throw new UnauthorizedError('token algorithm not accepted (HS256 only)', { cause: err });
    }
    throw new UnauthorizedError('invalid token', { cause: err });
  }
}

/** The key for `secret`, or undefined when admin auth is not configured (JWT_SECRET missing or too short). */
export function configuredJwtKey(secret: string | undefined): Uint8Array | undefined {
  try {
    return jwtKey(secret);
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when the request has none of that form. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h ? /^Bearer\s+(\S+)$/i.exec(h)?.[1] : undefined;
}

function bearer(req: FastifyRequest): string {
  if (!req.headers.authorization)
    throw new UnauthorizedError('missing bearer token (Authorization: Bearer <token>)');
  const token = bearerToken(req);
  if (!token) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
  return token;
}

export interface AdminAuthOptions {
  /** `JWT_SECRET`; missing or shorter than 32 characters throws ConfigError. */
  secret: string | undefined;
  /** Requests per window per user. @defaultValue 100 */
  max?: number;
  /** Window length in milliseconds. @defaultValue 60000 */
  windowMs?: number;
  /**
   * Refused tokens per client IP per window before that IP's further refusals answer 429 (slows token
   * guessing). A valid token from the same IP is still accepted: a neighbour's typos never lock a user out.
   * @defaultValue 30
   */
  maxFailures?: number;
  /**
   * Counts each user's requests (e.g. a `SharedWindowCounter`, one budget across processes).
   * @defaultValue @fastify/rate-limit's in-process store
   */
  windows?: WindowCounter;
}

/** A @fastify/rate-limit store counting in a WindowCounter; it never fails (a shared one falls back locally). */
class WindowStore implements FastifyRateLimitStore {
  constructor(private readonly windows: WindowCounter) {}

  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
  ): void {
    this.windows.hit(key, timeWindow).then(
      (hit) => callback(null, { current: hit.count, ttl: hit.resetInMs }),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Routes with their own rate-limit config get a child; the same windows, one budget per user. */
  child(): FastifyRateLimitStore {
    return this;
  }
}

/** The plugin instantiates its store itself: a constructor bound to `windows`. */
const windowStore = (windows: WindowCounter): FastifyRateLimitStoreCtor =>
  class extends WindowStore {
    constructor() {
      super(windows);
    }
  };

/** Counts refused tokens per client IP in fixed windows. */
class FailureCounter {
  private readonly counts = new Map<string, { n: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  blocked(ip: string, now: number): boolean {
    const c = this.counts.get(ip);
    return c !== undefined && c.resetAt > now && c.n >= this.max;
  }

  fail(ip: string, now: number): void {
    const c = this.counts.get(ip);
    if (c && c.resetAt > now) c.n++;
    else {
      if (this.counts.size >= 10_000)
        for (const [k, v] of this.counts) if (v.resetAt <= now) this.counts.delete(k);
      this.counts.set(ip, { n: 1, resetAt: now + this.windowMs });
    }
  }
}

/**
 * Protects every route registered after it in the calling plugin's scope: a valid bearer token is
 * required (401), then at most `max` requests per user per window (429). Use `requireRole('admin')` on
 * routes that change things. `buildApp` calls it once for the admin scope that holds every route module
 * marked `admin: true`.
 */
export async function useAdminAuth(app: FastifyInstance, o: AdminAuthOptions): Promise<void> {
  const key = jwtKey(o.secret);
  if (!app.hasRequestDecorator('user')) app.decorateRequest('user', null);
  const windowMs = o.windowMs ?? 60_000;
  const failures = new FailureCounter(o.maxFailures ?? 30, windowMs);
  app.addHook('onRequest', async (req) => {
    const now = Date.now();
    try {
      req.user = await verifyToken(bearer(req), key);
    } catch (err) {
      if (failures.blocked(req.ip, now)) {
        throw new RateLimitedError('too many refused tokens from this address; retry in a minute', {
          cause: err,
        });
      }
      failures.fail(req.ip, now);
      throw err;
    }
  });
  await app.register(rateLimit, {
    max: o.max ?? 100,
    timeWindow: windowMs,
    // after onRequest, so the budget is per verified user, not per forged claim
    hook: 'preHandler',
    // `user:{name}` is also the shared window's id (Redis key `marketpipe:api_rate:user:{name}`)
    keyGenerator: (req) => (req.user ? `user:${encodeURIComponent(req.user.user)}` : `ip:${req.ip}`),
    ...(o.windows ? { store: windowStore(o.windows) } : {}),
    errorResponseBuilder: (_req, ctx) =>
      new RateLimitedError(
        `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry in ${ctx.after}`,
      ),
  });
}

/**
 * preHandler for data routes that reveal more than market data (table statistics, schema lists): when
 * admin auth is configured (`secret` valid), a bearer token with at least `role` is required (401/403);
 * without it (local use, no JWT_SECRET) the route stays open like the other data routes.
 */
export function requireRoleWhenConfigured(secret: string | undefined, role: Role = 'viewer') {
  const key = configuredJwtKey(secret);
  const check = requireRole(role);
  return async (req: FastifyRequest): Promise<void> => {
    if (!key) return;
    req.user = await verifyToken(bearer(req), key);
    await check(req);
  };
}

/** preHandler refusing users without `role` (403). Admin may do everything a viewer may. */
export function requireRole(role: Role) {
  return async (req: FastifyRequest): Promise<void> => {
    const user = req.user;
    if (!user) throw new UnauthorizedError('not authenticated');
    if (role === 'admin' && user.role !== 'admin') {
      throw new ForbiddenError(`${user.user} is a ${user.role}; this needs the admin role`);
    }
  };
}
