/**
 * The live VaR worker thread (see var-worker-client.ts): runs `monteCarloVar` on the inputs it is sent, one
 * request at a time, so a long simulation never holds the stream's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../core/errors.ts';
import { monteCarloVar } from '../../risk/montecarlo.ts';
import { unpackVarRequest, type VarReply, type VarRequest } from './var-message.ts';

parentPort?.on('message', (req: VarRequest) => {
  let reply: VarReply;
  try {
    reply = { id: req.id, result: monteCarloVar(...unpackVarRequest(req)) };
  } catch (err) {
    reply = { id: req.id, error: describeError(err) };
  }
  parentPort?.postMessage(reply);
});
