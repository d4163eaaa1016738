/**
 * A second marketpipe process for test/store/embedded-multiprocess.test.ts: opens the embedded store at
 * argv[2], listens on `mp_multi`, and answers JSON-line commands on stdin with JSON lines on stdout.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../src/store/open.ts';

const home = process.argv[2];
if (!home) throw new Error('usage: embedded-owner-child.ts HOME');
const store = await openStore({ home });
const say = (msg: unknown): void => {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
};
await store.db.listen('mp_multi', (payload) => say({ event: payload }));
say({ ready: true, mode: store.mode, pid: process.pid, socket: store.socket });

type Command =
  | { cmd: 'query'; sql: string; params?: unknown[] }
  | { cmd: 'notify'; channel: string; payload: string }
  | { cmd: 'close' };

for await (const line of createInterface({ input: process.stdin })) {
  const c = JSON.parse(line) as Command;
  try {
    if (c.cmd === 'query') say({ rows: (await store.db.query(c.sql, c.params ?? [])).rows });
    else if (c.cmd === 'notify') {
      await store.db.notify(c.channel, c.payload);
      say({ notified: true });
    } else {
      await store.close();
      say({ closed: true });
      process.exit(0);
    }
  } catch (err) {
    say({ error: err instanceof Error ? err.message : String(err) });
  }
}
