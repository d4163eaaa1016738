// Worker thread for bench/stream.ts (plain JS: workers do not load TypeScript): a loopback Binance
// combined-stream server that, once a client has subscribed, writes the prepared trade frames. They are
// framed once up front (server frames: FIN + text opcode, unmasked, RFC 6455 §5.2) and written in 1 MB
// chunks straight to the TCP socket, so the sender costs almost nothing and the receiver is what is measured.
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocketServer } from 'ws';

const { frames } = workerData;

function frame(text) {
  const payload = Buffer.from(text);
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x81, n]) : Buffer.from([0x81, 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, payload]);
}

const chunks = [];
let pending = [];
let size = 0;
for (const f of frames) {
  const b = frame(f);
  pending.push(b);
  size += b.length;
  if (size >= 1 << 20) {
    chunks.push(Buffer.concat(pending));
    pending = [];
    size = 0;
  }
}
if (pending.length > 0) chunks.push(Buffer.concat(pending));

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('listening', () => parentPort?.postMessage({ port: server.address().port }));
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.method !== 'SUBSCRIBE') return;
    socket.send(JSON.stringify({ result: null, id: m.id }), () => {
      // ws keeps its TCP socket as `_socket`; writing frames there skips per-message framing in the sender.
      const tcp = socket._socket;
      let i = 0;
      const next = () => {
        while (i < chunks.length) if (!tcp.write(chunks[i++])) return tcp.once('drain', next);
      };
      next();
    });
  });
});
parentPort?.on('message', (m) => {
  if (m === 'close') server.close(() => process.exit(0));
});
