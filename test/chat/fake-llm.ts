import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback OpenAI-compatible model: `POST /v1/chat/completions` answers the last user message from a
 * table of canned replies (question → reply text) and records every request it got.
 */
export interface FakeLlm {
  url: string;
  requests: { model: string; system: string; question: string; auth: string | undefined }[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

interface Message {
  role: string;
  content: string;
}

export async function startFakeLlm(replies: Record<string, string>): Promise<FakeLlm> {
  const requests: FakeLlm['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const payload = JSON.parse(await body(req)) as { model: string; messages: Message[] };
    const question = payload.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    const system = payload.messages.find((m) => m.role === 'system')?.content ?? '';
    requests.push({ model: payload.model, system, question, auth: req.headers.authorization });
    const content =
      replies[question] ?? '{"sql": "SELECT 1 AS unknown_question", "explanation": "no canned answer"}';
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: payload.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Canned answers used by the chat tests and the demo exchange. */
export const CANNED: Record<string, string> = {
  'What was the last daily close of BTC?': JSON.stringify({
    sql: "SELECT b.ts, b.close FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'BTC' AND b.interval = '1d' ORDER BY b.ts DESC LIMIT 1",
    explanation: 'The newest daily bar of BTC.',
  }),
  'How many instruments are there per asset class?':
    'Count active instruments by class:\n```sql\nSELECT asset_class, count(*) AS instruments FROM market_data.instruments WHERE active GROUP BY asset_class ORDER BY instruments DESC, asset_class;\n```',
  'Which strategies are configured?': JSON.stringify({
    sql: 'SELECT name, kind FROM strategies.definitions ORDER BY name',
    explanation: 'Configured strategies.',
  }),
  'Delete the old bars please': JSON.stringify({
    sql: "DELETE FROM market_data.bars WHERE ts < now() - interval '1 year'",
    explanation: 'Deletes old bars.',
  }),
  'Average close per symbol': JSON.stringify({
    sql: "SELECT i.symbol, avg(b.close) AS avg_close FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE b.interval = '1d' GROUP BY i.symbol ORDER BY i.symbol",
    explanation: 'Mean daily close by symbol.',
  }),
};
