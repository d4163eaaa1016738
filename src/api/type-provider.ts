import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifySchema, FastifySerializerCompiler } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * The glue between the zod contract (api/contract/*.ts) and Fastify. A route plugin calls `useContract(app)`
 * and declares its `schema` with the contract's zod schemas: requests are parsed by zod (400
 * `{error:'invalid_input'}` on a failure, see errors.ts), the handler's types are inferred from them, and
 * responses are written by fast-json-stringify from the JSON schema zod derives (the same serialiser as a
 * hand-written schema: unknown fields dropped, Dates as ISO strings, and no per-response zod parse).
 */

const buildSerializer = SerializerSelector()();

function isZod(schema: unknown): schema is z.ZodType {
  return schema instanceof z.ZodType;
}

/**
 * `X | null` as fast-json-stringify reads it best: zod writes `{anyOf: [X, {type: 'null'}]}`, for which the
 * serialiser validates each value against X with ajv (a nullable object with one field more than its schema,
 * or an integer field holding 1.5, then fails the response with a 500); `{...X, type: [X.type, 'null']}`, what
 * a hand-written schema says, is written without that check. Applied throughout the tree.
 */
function collapseNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(collapseNullable);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = collapseNullable(v);
  const { anyOf, ...rest } = out;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return out;
  const nullIndex = anyOf.findIndex(
    (s) => typeof s === 'object' && s !== null && Object.keys(s).length === 1 && s.type === 'null',
  );
  const other = anyOf[1 - nullIndex] as Record<string, unknown> | undefined;
  if (nullIndex < 0 || other === undefined || typeof other.type !== 'string') return out;
  if (['anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const'].some((k) => k in other)) return out;
  return { ...other, ...rest, type: [other.type, 'null'] };
}

/** A zod schema as the draft-7 JSON schema fast-json-stringify reads (what the route answers). */
function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-7',
    unrepresentable: 'any',
  });
  return collapseNullable(json) as Record<string, unknown>;
}

/**
 * One serialiser per zod schema: the shared ones (the error body of every route and status) are derived and
 * compiled once per process, not once per route — start-up time (bench/cli.ts `npm start`).
 */
const zodSerializers = new WeakMap<z.ZodType, (data: unknown) => string>();

const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  if (!isZod(schema)) return buildSerializer({ method, url, httpStatus: httpStatus ?? 'default', schema });
  let serialize = zodSerializers.get(schema);
  if (serialize === undefined) {
    serialize = buildSerializer({
      method,
      url,
      httpStatus: httpStatus ?? 'default',
      schema: outputJsonSchema(schema),
    });
    zodSerializers.set(schema, serialize);
  }
  return serialize;
};

/**
 * Switches the plugin's routes (Fastify scopes compilers per plugin) to zod schemas and returns the app typed
 * by them. Routes of other plugins keep their JSON schemas.
 */
export function useContract(app: FastifyInstance) {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return app.withTypeProvider<ZodTypeProvider>();
}

type SwaggerTransform = typeof jsonSchemaTransform;

/**
 * @fastify/swagger's `transform`: the OpenAPI document shows a contract route's zod schemas as JSON schema
 * and every other route's JSON schema as written.
 */
export const openApiTransform: SwaggerTransform = (doc) => {
  const schema = doc.schema as FastifySchema | undefined;
  const parts = [schema?.body, schema?.querystring, schema?.params, schema?.headers];
  const responses =
    schema?.response && typeof schema.response === 'object' ? Object.values(schema.response) : [];
  return [...parts, ...responses].some(isZod)
    ? jsonSchemaTransform(doc)
    : { schema: doc.schema, url: doc.url };
};
