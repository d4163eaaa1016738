/**
 * The fault cases every HTTP connector must pass, run against a real loopback server (Hono-style shared
 * suite). Each connector's test calls `describeConnectorFaults` with how to build it and its payloads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { BadPayloadError, ProviderAuthError, ProviderUnavailableError } from '../errors.ts';
import type { ProviderLimits } from '../http.ts';
import type { ProviderOptions } from '../support.ts';
import type { Source } from '../types.ts';
import {
  type Handler,
  type Loopback,
  type Reply,
  seededRandom,
  startLoopback,
  virtualClock,
} from './loopback.ts';

export interface ConnectorCase {
  make(options: ProviderOptions): Source;
  instrument: Instrument;
  interval: Interval;
  range: TimeRange;
  /** Virtual "now" for the run (after the range, so every bar is complete). */
  now: number;
  /** Three wire timestamps inside the range, ascending, as the provider stamps them. */
  sampleTs: readonly [number, number, number];
  /** Our bar `ts` for a wire timestamp (daily keying, buckets). @defaultValue identity */
  expectedTs?: (wireTs: number) => number;
  /** A successful, last page (no further pages) holding rows at `wireTs`, in the given order. */
  page(wireTs: readonly number[]): unknown;
  /** A body that parses as JSON but breaks the schema at `field`. */
  malformed: { body: unknown; field: string };
  /** The provider's answer to a bad key. @defaultValue 401 with a JSON error */
  badKey?: Reply;
}

export async function collect(pages: AsyncIterable<Bar[]>): Promise<Bar[][]> {
  const out: Bar[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export function describeConnectorFaults(name: string, c: ConnectorCase): void {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(handler: Handler, limits: Partial<ProviderLimits> = {}) {
    server = await startLoopback(handler);
    const clock = virtualClock(c.now);
    const source = c.make({
      baseUrl: server.baseUrl,
      apiKey: 'test-key-0123456789',
      clock,
      random: seededRandom(7),
      limits: { timeoutMs: 2000, retry: { maxRetries: 2, baseDelayMs: 10 }, ...limits },
    });
    const pages = collect(source.fetchBars(c.instrument, c.interval, c.range));
    return { pages, clock, server };
  }

  const expected = (ts: readonly number[]): number[] =>
    ts.map((t) => (c.expectedTs ?? ((x: number) => x))(t));
  const [t1, t2, t3] = c.sampleTs;

  describe(`${name} connector faults (loopback server)`, () => {
    it('honours Retry-After on 429, then returns the page', async () => {
      const { pages, clock } = await run((_r, i) =>
        i === 0
          ? { status: 429, headers: { 'retry-after': '2' }, body: { error: 'slow down' } }
          : { body: c.page([t1, t2]) },
      );
      const bars = (await pages).flat();
      expect(bars.map((b) => b.ts)).toEqual(expected([t1, t2]));
      expect(clock.sleeps).toContain(2000);
    });

    it('retries a 500 and succeeds', async () => {
      const { pages, server } = await run((_r, i) =>
        i === 0 ? { status: 500, body: 'oops' } : { body: c.page([t1]) },
      );
      expect((await pages).flat().map((b) => b.ts)).toEqual(expected([t1]));
      expect(server.requests.length).toBeGreaterThanOrEqual(2);
    });

    it('gives ProviderUnavailableError when every attempt times out', async () => {
      const { pages } = await run(() => ({ delayMs: 400, body: c.page([t1]) }), {
        timeoutMs: 60,
        retry: { maxRetries: 1, baseDelayMs: 1 },
      });
      const err = await pages.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderUnavailableError);
    });

    it('gives BadPayloadError for a body that is not JSON', async () => {
      const { pages } = await run(() => ({ body: '{"truncated": [1, 2' }));
      const err = await pages.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadPayloadError);
      expect((err as BadPayloadError).field).toBe('(body)');
    });

    it('gives BadPayloadError naming the field that breaks the schema', async () => {
      const { pages } = await run(() => ({ body: c.malformed.body }));
      const err = await pages.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadPayloadError);
      expect((err as BadPayloadError).field).toBe(c.malformed.field);
      expect((err as BadPayloadError).message).toContain(c.malformed.field);
    });

    it('yields nothing for an empty page', async () => {
      const { pages } = await run(() => ({ body: c.page([]) }));
      expect(await pages).toEqual([]);
    });

    it('sorts out-of-order rows and drops duplicates', async () => {
      const { pages } = await run(() => ({ body: c.page([t3, t1, t2, t1, t3]) }));
      const ts = (await pages).flat().map((b) => b.ts);
      expect(ts).toEqual(expected([t1, t2, t3]));
    });

    it('gives ProviderAuthError for a bad key, without retrying or leaking it', async () => {
      const { pages, server } = await run(() => c.badKey ?? { status: 401, body: { error: 'invalid key' } });
      const err = await pages.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderAuthError);
      expect(server.requests).toHaveLength(1);
      expect((err as Error).message).not.toContain('test-key-0123456789');
    });
  });
}
