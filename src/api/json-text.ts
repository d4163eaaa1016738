import type { FastifyReply } from 'fastify';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a body serialised already (a cached or spliced JSON document) as JSON. A contract route's reply is
 * typed by its response schema; this text is a document of that schema, written ahead of time.
 */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type(JSON_TYPE).send(text);
}
