import { describe, expect, it } from 'vitest';
import { NotificationHub, NotificationScanner } from '../../src/store/socket-notify.ts';

/** Backend message bytes as the Postgres protocol defines them (type byte, int32 length incl. itself). */
function message(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function notification(channel: string, payload: string): Uint8Array {
  const text = new TextEncoder().encode(`${channel}\0${payload}\0`);
  const body = new Uint8Array(4 + text.length);
  new DataView(body.buffer).setInt32(0, 4242);
  body.set(text, 4);
  return message('A', body);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('NotificationScanner', () => {
  const stream = concat([
    message('C', new TextEncoder().encode('SELECT 1\0')),
    notification('price_updates', '{"type":"tick","ts":"2024-01-01T00:00:00Z","p":"ünï"}'),
    message('Z', new TextEncoder().encode('I')),
    notification('data_ready', ''),
  ]);

  it('finds notifications however the stream is split into chunks', () => {
    for (const size of [1, 2, 3, 7, 16, stream.length]) {
      const seen: [string, string][] = [];
      const scanner = new NotificationScanner((c, p) => seen.push([c, p]));
      for (let i = 0; i < stream.length; i += size) scanner.push(stream.subarray(i, i + size));
      expect(seen, `chunk size ${size}`).toEqual([
        ['price_updates', '{"type":"tick","ts":"2024-01-01T00:00:00Z","p":"ünï"}'],
        ['data_ready', ''],
      ]);
    }
  });
});

describe('NotificationHub', () => {
  it('LISTENs once per channel, fans out, and UNLISTENs after the last subscriber leaves', async () => {
    const sql: string[] = [];
    const hub = new NotificationHub(async (s) => {
      sql.push(s);
    });
    const a: string[] = [];
    const b: string[] = [];
    const offA = await hub.subscribe('job_events', (p) => a.push(p));
    const offB = await hub.subscribe('job_events', (p) => b.push(p));
    hub.dispatch('job_events', 'one');
    hub.dispatch('other', 'ignored');
    await Promise.resolve();
    expect([a, b]).toEqual([['one'], ['one']]);
    await offA();
    expect(sql).toEqual(['LISTEN "job_events"']);
    await offB();
    expect(sql).toEqual(['LISTEN "job_events"', 'UNLISTEN "job_events"']);
  });
});
