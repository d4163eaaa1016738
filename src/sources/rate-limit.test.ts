import { describe, expect, it } from 'vitest';
import { Semaphore, TokenBucket } from './rate-limit.ts';
import { virtualClock } from './testing/loopback.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then spaces requests at the refill rate', async () => {
    const clock = virtualClock(0);
    // Polygon free tier: 5 requests per minute, burst 5.
    const bucket = new TokenBucket({ requests: 5, intervalMs: 60_000 }, clock);
    for (let i = 0; i < 5; i += 1) await bucket.take();
    expect(clock.now()).toBe(0);
    await bucket.take();
    expect(clock.now()).toBe(12_000); // one token every 60 s / 5
    await bucket.take();
    expect(clock.now()).toBe(24_000);
  });

  it('refills while idle up to the burst only', async () => {
    const clock = virtualClock(0);
    const bucket = new TokenBucket({ requests: 10, intervalMs: 1000, burst: 2 }, clock);
    clock.advance(60_000);
    expect(bucket.available()).toBe(2);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new TokenBucket({ requests: 0, intervalMs: 1000 })).toThrow(/positive/);
  });
});

describe('Semaphore', () => {
  it('never runs more than the limit at once', async () => {
    const gate = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      active -= 1;
    };
    await Promise.all(Array.from({ length: 10 }, () => gate.run(task)));
    expect(peak).toBe(2);
  });
});
