// Worker thread for bench/stream.ts (plain JS: workers do not load TypeScript): a loopback Binance
// combined-stream server that, once a client has subscribed, sends the prepared trade frames as fast as the
// socket takes them.
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocketServer } from 'ws';

const { frames } = workerData;
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('listening', () => parentPort?.postMessage({ port: server.address().port }));
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.method !== 'SUBSCRIBE') return;
    socket.send(JSON.stringify({ result: null, id: m.id }));
    for (const f of frames) socket.send(f);
  });
});
parentPort?.on('message', (m) => {
  if (m === 'close') server.close(() => process.exit(0));
});
