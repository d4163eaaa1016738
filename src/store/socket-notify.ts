/**
 * LISTEN/NOTIFY for the embedded store shared between processes. PGlite is one session: a notification
 * raised by a socket client's statement comes back only in that client's own protocol stream, and the
 * owner's PGlite never parses it. So the owner collects notifications from both paths (its own queries
 * through PGlite's `onNotification`, socket traffic by scanning the raw backend stream) into one hub,
 * which feeds the owner's listeners and the event relay that forwards them to client processes.
 */

type Callback = (payload: string) => void;

/** Fans notifications out to subscribers; keeps the session LISTENing while a channel has any. */
export class NotificationHub {
  readonly #subs = new Map<string, Set<Callback>>();
  readonly #listening = new Map<string, Promise<void>>();

  /** @param execSql runs `LISTEN`/`UNLISTEN` on the shared session (through the session gate). */
  constructor(private readonly execSql: (sql: string) => Promise<void>) {}

  async subscribe(channel: string, onPayload: Callback): Promise<() => Promise<void>> {
    let set = this.#subs.get(channel);
    if (!set) {
      set = new Set();
      this.#subs.set(channel, set);
    }
    set.add(onPayload);
    let ready = this.#listening.get(channel);
    if (!ready) {
      ready = this.execSql(`LISTEN ${quoteIdent(channel)}`);
      this.#listening.set(channel, ready);
      ready.catch(() => this.#listening.delete(channel));
    }
    await ready;
    return async () => {
      const current = this.#subs.get(channel);
      if (!current?.delete(onPayload) || current.size > 0) return;
      this.#subs.delete(channel);
      this.#listening.delete(channel);
      await this.execSql(`UNLISTEN ${quoteIdent(channel)}`);
    };
  }

  dispatch(channel: string, payload: string): void {
    const set = this.#subs.get(channel);
    if (!set) return;
    for (const fn of set) queueMicrotask(() => fn(payload));
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const NOTIFICATION_RESPONSE = 0x41; // 'A'

/**
 * Incremental scanner of a backend message stream that reports NotificationResponse messages
 * (`'A'`, int32 length, int32 pid, channel\0, payload\0). The bytes themselves pass on untouched.
 */
export class NotificationScanner {
  #pending: Uint8Array = new Uint8Array(0);
  readonly #decoder = new TextDecoder();

  constructor(private readonly onNotification: (channel: string, payload: string) => void) {}

  push(chunk: Uint8Array): void {
    let buf: Uint8Array;
    if (this.#pending.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#pending.length + chunk.length);
      buf.set(this.#pending, 0);
      buf.set(chunk, this.#pending.length);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    while (buf.length - at >= 5) {
      const len = view.getInt32(at + 1);
      if (len < 4) {
        // Not a message boundary: stop scanning this stream rather than guess.
        this.#pending = new Uint8Array(0);
        return;
      }
      if (buf.length - at < 1 + len) break;
      if (buf[at] === NOTIFICATION_RESPONSE) this.#decode(buf.subarray(at + 9, at + 1 + len));
      at += 1 + len;
    }
    // Copy: the chunk may be a view into memory the producer reuses.
    this.#pending = buf.slice(at);
  }

  #decode(body: Uint8Array): void {
    const channelEnd = body.indexOf(0);
    if (channelEnd < 0) return;
    const payloadEnd = body.indexOf(0, channelEnd + 1);
    const channel = this.#decoder.decode(body.subarray(0, channelEnd));
    const payload = this.#decoder.decode(
      body.subarray(channelEnd + 1, payloadEnd < 0 ? body.length : payloadEnd),
    );
    this.onNotification(channel, payload);
  }
}
