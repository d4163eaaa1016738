import { afterEach, describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderNotFoundError, ProviderRequestError } from '../errors.ts';
import { type Loopback, seededRandom, startLoopback, virtualClock } from '../testing/loopback.ts';
import { classifyFredError, FredClient } from './client.ts';
import { fredTimestamp, fredValue } from './mapping.ts';

describe('FRED mapping', () => {
  it('reads "." as no value', () => {
    expect(fredValue('.')).toBeNull();
    expect(fredValue('3.79')).toBe(3.79);
  });
  it('reads last_updated with its US Central offset', () => {
    // "2013-07-31 09:26:16-05" is the documentation's example
    expect(fredTimestamp('2013-07-31 09:26:16-05')).toBe(Date.UTC(2013, 6, 31, 14, 26, 16));
  });
});

describe('classifyFredError (HTTP 400 for both, told apart by the message)', () => {
  it('maps FRED error bodies to typed errors', () => {
    const body = (m: string) => JSON.stringify({ error_code: 400, error_message: m });
    expect(
      classifyFredError(400, body('Bad Request.  The value for variable api_key is not registered.')),
    ).toBeInstanceOf(ProviderAuthError);
    expect(classifyFredError(400, body('Bad Request.  The series does not exist.'), 'X')).toBeInstanceOf(
      ProviderNotFoundError,
    );
    expect(
      classifyFredError(400, body('Bad Request.  Variable limit is not between 1 and 100000.')),
    ).toBeInstanceOf(ProviderRequestError);
    expect(classifyFredError(500, body('Internal Server Error'))).toBeUndefined();
    expect(classifyFredError(502, '<html>bad gateway</html>')).toBeUndefined();
  });
});

describe('FredClient.observations paging (loopback)', () => {
  let server: Loopback | undefined;
  afterEach(async () => server?.close());

  it('follows offset until count is reached', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({
      realtime_start: '2024-01-01',
      realtime_end: '9999-12-31',
      date: `2023-01-0${i + 1}`,
      value: String(i),
    }));
    server = await startLoopback((req) => {
      const offset = Number(req.url.searchParams.get('offset'));
      return { body: { count: 5, offset, limit: 2, observations: all.slice(offset, offset + 2) } };
    });
    const client = new FredClient({
      baseUrl: server.baseUrl,
      apiKey: 'k-0123456789',
      clock: virtualClock(),
      random: seededRandom(1),
    });
    const pages: number[][] = [];
    for await (const page of client.observations('X')) pages.push(page.map((o) => o.value ?? Number.NaN));
    expect(pages).toEqual([[0, 1], [2, 3], [4]]);
    expect(server.requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '2', '4']);
  });
});
