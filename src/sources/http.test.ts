import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BadPayloadError,
  ProviderAuthError,
  ProviderNotFoundError,
  ProviderRequestError,
  ProviderUnavailableError,
  RateLimitedError,
} from './errors.ts';
import { HttpClient, type HttpEvent, issuePath, redactUrl } from './http.ts';
import {
  type Handler,
  type Loopback,
  seededRandom,
  startLoopback,
  virtualClock,
} from './testing/loopback.ts';

const Body = z.object({ values: z.array(z.tuple([z.number(), z.number()])) });

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, timeoutMs = 2000) {
  server = await startLoopback(handler);
  const clock = virtualClock();
  const events: HttpEvent[] = [];
  const http = new HttpClient({
    provider: 'testprov',
    clock,
    random: seededRandom(1),
    secrets: ['sekret-key-123'],
    limits: { timeoutMs, retry: { maxRetries: 3, baseDelayMs: 100 } },
    onEvent: (e) => events.push(e),
  });
  return { http, clock, events, url: `${server.baseUrl}/data?apiKey=sekret-key-123` };
}

describe('HttpClient retries', () => {
  it('retries a 500 then succeeds', async () => {
    const { http, clock, url } = await setup((_r, i) =>
      i === 0 ? { status: 500 } : { body: { values: [[1, 2]] } },
    );
    await expect(http.getJson(url, Body)).resolves.toEqual({ values: [[1, 2]] });
    expect(server?.requests).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('waits exactly Retry-After seconds on 429', async () => {
    const { http, clock, url } = await setup((_r, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { body: { values: [] } },
    );
    await http.getJson(url, Body);
    expect(clock.sleeps).toEqual([3000]);
  });

  it('throws RateLimitedError with the hint after the retries run out', async () => {
    const { http, url } = await setup(() => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: 'slow down',
    }));
    const err = await http.getJson(url, Body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryable).toBe(true);
    expect((err as RateLimitedError).retryAfterMs).toBe(1000);
    expect(server?.requests).toHaveLength(4);
  });

  it('turns a timeout into ProviderUnavailableError after retries', async () => {
    const { http, url } = await setup(() => ({ delayMs: 300, body: { values: [] } }), 50);
    const err = await http.getJson(url, Body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(String(err)).toMatch(/timed out after 50 ms/);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    const { http, url } = await setup(() => {
      // Abort once the request is in flight on the server.
      controller.abort(new Error('user stop'));
      return { delayMs: 300, body: { values: [] } };
    });
    await expect(http.getJson(url, Body, { signal: controller.signal })).rejects.toThrow('user stop');
    expect(server?.requests).toHaveLength(1);
  });

  it('reports a refused connection as unavailable', async () => {
    const dead = await startLoopback(() => ({}));
    const deadUrl = `${dead.baseUrl}/x`;
    await dead.close();
    const http = new HttpClient({
      provider: 'p',
      clock: virtualClock(),
      limits: { retry: { maxRetries: 1 } },
    });
    const err = await http.getText(deadUrl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(String(err)).toMatch(/ECONNREFUSED/);
  });
});

describe('HttpClient politeness', () => {
  it('honours an HTTP-date Retry-After on 503', async () => {
    const clock = virtualClock(Date.parse('2024-01-01T00:00:00Z'));
    server = await startLoopback((_r, i) =>
      i === 0
        ? { status: 503, headers: { 'retry-after': 'Mon, 01 Jan 2024 00:00:09 GMT' } }
        : { body: { values: [] } },
    );
    const http = new HttpClient({ provider: 'p', clock });
    await http.getJson(`${server.baseUrl}/x`, Body);
    expect(clock.sleeps).toEqual([9000]);
  });

  it('spaces requests by the token bucket (5 a minute, as Polygon free)', async () => {
    const clock = virtualClock(0);
    server = await startLoopback(() => ({ body: { values: [] } }));
    const http = new HttpClient({ provider: 'polygon', clock });
    for (let i = 0; i < 7; i += 1) await http.getJson(`${server.baseUrl}/x`, Body);
    expect(clock.sleeps).toEqual([12_000, 12_000]);
    expect(http.limits.rateLimit).toEqual({ requests: 5, intervalMs: 60_000 });
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server = await startLoopback(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight -= 1;
      return { body: { values: [] } };
    });
    const http = new HttpClient({
      provider: 'p',
      clock: virtualClock(),
      limits: { concurrency: 2, rateLimit: { requests: 1000, intervalMs: 1000 } },
    });
    await Promise.all(Array.from({ length: 8 }, () => http.getJson(`${server?.baseUrl}/x`, Body)));
    expect(peak).toBe(2);
  });
});

describe('HttpClient typed errors', () => {
  it.each([
    [401, ProviderAuthError],
    [403, ProviderAuthError],
    [404, ProviderNotFoundError],
    [400, ProviderRequestError],
  ])('status %i → %o without retry', async (status, type) => {
    const { http, url } = await setup(() => ({ status, body: { error: 'bad apiKey sekret-key-123' } }));
    const err = await http.getJson(url, Body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(server?.requests).toHaveLength(1);
    expect(String((err as Error).message)).not.toContain('sekret-key-123');
    expect(String((err as Error).message)).toContain('apiKey=***');
  });

  it('names the field of a schema mismatch', async () => {
    const { http, url } = await setup(() => ({
      body: {
        values: [
          [1, 2],
          [3, 'x'],
        ],
      },
    }));
    const err = await http.getJson(url, Body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPayloadError);
    expect((err as BadPayloadError).field).toBe('values[1][1]');
    expect((err as BadPayloadError).message).toMatch(/^testprov: bad payload at values\[1\]\[1\]/);
  });

  it('reports a body that is not JSON', async () => {
    const { http, url } = await setup(() => ({ body: '{"values": [[1, 2' }));
    const err = await http.getJson(url, Body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPayloadError);
    expect((err as BadPayloadError).field).toBe('(body)');
  });

  it('lets the provider classify an answer first', async () => {
    const { http, url } = await setup(() => ({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } }));
    const err = await http
      .getJson(url, Body, {
        classify: (status, body) =>
          status === 400 && body.includes('-1121')
            ? new ProviderNotFoundError('testprov', 'gone')
            : undefined,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderNotFoundError);
  });

  it('emits redacted events', async () => {
    const { http, events, url } = await setup(() => ({ body: { values: [] } }));
    await http.getJson(url, Body);
    expect(events[0]?.url).toContain('apiKey=***');
    expect(events[0]?.status).toBe(200);
  });
});

describe('redaction helpers', () => {
  it('redacts key-like query parameters only', () => {
    expect(redactUrl('https://x.io/a?apiKey=abc&api_key=d&token=e&symbol=AAPL')).toBe(
      'https://x.io/a?apiKey=***&api_key=***&token=***&symbol=AAPL',
    );
    expect(redactUrl('/rel?apikey=abc')).toBe('/rel?apikey=***');
  });

  it('prints zod paths', () => {
    expect(issuePath(['prices', 3, 1])).toBe('prices[3][1]');
    expect(issuePath([])).toBe('(root)');
  });
});
