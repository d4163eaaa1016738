import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/sources/http.ts';
import { SharedRateLimits } from '../../src/sources/shared-rate-limit.ts';
import { seededRandom, startLoopback } from '../../src/sources/testing/loopback.ts';
import { bucketBound, maxInWindow } from '../../src/sources/testing/windows.ts';

/**
 * The scaled-out case for real: this test process and a second node process (test/sources/fixtures/
 * rate-limited-client.ts) each send requests to one loopback provider through their own shared bucket on the
 * machine's Redis. The provider must see one budget, not two.
 */
const REDIS_URL = process.env.MARKETPIPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('a provider budget shared by two processes', () => {
  it('lets no more through in any 2 s window than one bucket allows', async () => {
    const keyPrefix = `mp_test_rl_${randomBytes(4).toString('hex')}:`;
    const limit = { requests: 10, intervalMs: 1000, burst: 5 };
    const arrivals: Array<{ at: number; client: string }> = [];
    const server = await startLoopback((req) => {
      arrivals.push({ at: Date.now(), client: String(req.headers['x-client'] ?? '') });
      return { body: { ok: true } };
    });
    const shared = new SharedRateLimits({ url: REDIS_URL, keyPrefix });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/sources/fixtures/rate-limited-client.ts'],
      {
        env: {
          ...process.env,
          REDIS_URL,
          KEY_PREFIX: keyPrefix,
          TARGET_URL: server.baseUrl,
          COUNT: '25',
          LIMIT: JSON.stringify(limit),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const end = Date.now() + 30_000;
      while (!out.includes('ready')) {
        if (child.exitCode !== null || Date.now() > end) throw new Error(`child did not start: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Both start together: the child on this line, this process at once.
      child.stdin.write('go\n');
      const http = new HttpClient({
        provider: 'fake',
        limits: { rateLimit: limit, concurrency: 4 },
        rateLimiter: shared.factory(),
        random: seededRandom(3),
      });
      await Promise.all(
        Array.from({ length: 25 }, () =>
          http.getText(`${server.baseUrl}/ping`, { headers: { 'x-client': 'parent' } }),
        ),
      );
      expect(await exited, `child exit code (stderr: ${err})`).toBe(0);
      expect(out).toContain('done');

      const times = arrivals.map((r) => r.at);
      const parent = arrivals.filter((r) => r.client === 'parent').map((r) => r.at);
      const fromChild = arrivals.filter((r) => r.client === 'child').map((r) => r.at);
      expect(parent).toHaveLength(25);
      expect(fromChild).toHaveLength(25);
      // The two really overlapped (else one budget each would pass too): some child request arrived while
      // the parent was still sending.
      expect(
        fromChild.some((t) => t > Math.min(...parent) && t < Math.max(...parent)),
        'child requests interleaved with the parent’s',
      ).toBe(true);
      // One bucket: burst 5 + 10/s × 2 s = 25 per 2 s window, plus 20 for up to 2 s of arrival lag on a loaded
      // CI machine (bucketBound). Two separate budgets let all 50 through in 2 s. The span below is the
      // sharper check (stalls only lengthen it).
      const bound = bucketBound(limit, 2000, 2000);
      expect(maxInWindow(times, 2000), `requests in any 2 s window (at most ${bound})`).toBeLessThanOrEqual(
        bound,
      );
      // 50 requests from one budget span at least (50 − 5) / 10 per s = 4.5 s; allow 1 s of lag.
      expect(Math.max(...times) - Math.min(...times), 'ms from first to last request').toBeGreaterThanOrEqual(
        3500,
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await server.close();
      await shared.close();
    }
  });
});
