import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestHistogram } from './metrics.ts';

describe('RequestHistogram', () => {
  it('exposes the same text as a prom-client Histogram fed the same observations', async () => {
    const bounds = [0.001, 0.01, 0.1];
    const mine = new Registry();
    const fast = new RequestHistogram('t_seconds', 'test latency', bounds);
    mine.registerMetric(fast as unknown as Histogram);
    const theirs = new Registry();
    const reference = new Histogram({
      name: 't_seconds',
      help: 'test latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: bounds,
      registers: [theirs],
    });
    // on a bound (0.01 counts in le="0.01"), between bounds, above every bound, two routes and statuses
    const seen: Array<[string, string, number, number]> = [
      ['GET', '/a', 200, 0.0005],
      ['GET', '/a', 200, 0.01],
      ['GET', '/a', 200, 0.05],
      ['GET', '/a', 200, 3],
      ['GET', '/a', 404, 0.002],
      ['POST', '/b/:id', 201, 0.0001],
    ];
    for (const [method, route, status, s] of seen) {
      fast.observe(method, route, status, s);
      reference.observe({ method, route, status_code: status }, s);
    }
    const sorted = (text: string) => text.trim().split('\n').sort();
    expect(sorted(await mine.metrics())).toEqual(sorted(await theirs.metrics()));
    expect(fast.count('GET', '/a', 200)).toBe(4);
    expect(await mine.metrics()).toContain(
      't_seconds_bucket{le="0.01",method="GET",route="/a",status_code="200"} 2',
    );
  });
});
