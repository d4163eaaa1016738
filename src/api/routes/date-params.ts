/**
 * One check of every date a route takes, for every route: a value that starts like a calendar date
 * (`YYYY-MM-DD`, alone or as the head of an ISO date-time) must name a real day — `2024-02-30` and
 * `2024-13-01` used to reach PostgreSQL and come back as a 500 — and a range must not be reversed
 * (`from` after `to` used to answer 200 with nothing). Both answer 400 `{error, message}`.
 *
 * Installed once on the app (`installDateChecks`); an `onRoute` hook finds each route's date fields in its
 * schema (querystring, params and body) and adds a preValidation check, so a new route is covered without
 * remembering to.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';

/** Field names that hold a date or an instant when their schema does not say so by pattern or format. */
const DATE_NAMES = new Set([
  'date',
  'from',
  'to',
  'since',
  'until',
  'as_of',
  'asof',
  'start',
  'end',
  'start_date',
  'end_date',
  'from_date',
  'to_date',
  'on',
]);

/** Range pairs checked for order: the first must not be after the second. */
export const RANGE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['from', 'to'],
  ['start', 'end'],
  ['start_date', 'end_date'],
  ['from_date', 'to_date'],
  ['since', 'until'],
];

const DATE_HEAD = /^(\d{4})-(\d{2})-(\d{2})(?=$|[T ])/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

interface PropSchema {
  type?: unknown;
  pattern?: unknown;
  format?: unknown;
}

/** Whether a schema property holds a date: a date format, a pattern that starts with 4 digits, or its name. */
export function isDateProperty(name: string, schema: PropSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('string') && schema.type !== undefined) return false;
  if (schema.format === 'date' || schema.format === 'date-time') return true;
  if (typeof schema.pattern === 'string' && /^\^?\\d\{4\}-/.test(schema.pattern)) return true;
  return DATE_NAMES.has(name.toLowerCase());
}

/** The calendar-date head of `value`, or null when it has none; throws when the head is not a real day. */
function calendarDateHead(field: string, value: string): string | null {
  const m = DATE_HEAD.exec(value);
  if (!m) return null;
  const [head, y, mo, d] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (Number(mo) < 1 || Number(mo) > 12 || new Date(t).toISOString().slice(0, 10) !== head)
    throw new ValidationError(`${field}: "${value}" is not a calendar date (YYYY-MM-DD)`);
  return head;
}

/** UTC ms of a date or date-time; a bare date as the END bound means the whole of that day. */
function instant(value: string, endBound: boolean): number {
  if (DATE_ONLY.test(value)) return Date.parse(`${value}T00:00:00Z`) + (endBound ? DAY_MS - 1 : 0);
  return Date.parse(value);
}

/** Checks the date fields of one request part; `fields` are the date-like names of that part. */
function checkDates(part: string, values: unknown, fields: readonly string[]): void {
  if (typeof values !== 'object' || values === null) return;
  const v = values as Record<string, unknown>;
  for (const f of fields) {
    const x = v[f];
    if (typeof x === 'string') calendarDateHead(part === 'params' ? f : f, x);
  }
  for (const [a, b] of RANGE_PAIRS) {
    const x = v[a];
    const y = v[b];
    if (typeof x !== 'string' || typeof y !== 'string') continue;
    if (calendarDateHead(a, x) === null || calendarDateHead(b, y) === null) continue;
    const from = instant(x, false);
    const to = instant(y, true);
    if (Number.isFinite(from) && Number.isFinite(to) && from > to)
      throw new ValidationError(`${a} (${x}) is after ${b} (${y}): the range is reversed`);
  }
}

/** A route part's JSON schema: as written, or derived from a zod contract (`api/contract/`). */
function jsonSchemaOf(schema: unknown): unknown {
  if (schema instanceof z.ZodType) return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return schema;
}

function dateFields(schema: unknown): string[] {
  const props = (jsonSchemaOf(schema) as { properties?: Record<string, PropSchema> } | undefined)?.properties;
  if (props === undefined) return [];
  return Object.entries(props)
    .filter(([name, s]) => isDateProperty(name, s))
    .map(([name]) => name);
}

/** Adds the date checks to every route registered after this call. */
export function installDateChecks(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const s = route.schema as { querystring?: unknown; params?: unknown; body?: unknown } | undefined;
    const parts = {
      query: dateFields(s?.querystring),
      params: dateFields(s?.params),
      body: dateFields(s?.body),
    };
    if (parts.query.length + parts.params.length + parts.body.length === 0) return;
    // preValidation: before the schema's own `pattern` answers with a less precise message, and before any
    // handler can send an impossible date to the store.
    const check = async (req: FastifyRequest): Promise<void> => {
      checkDates('query', req.query, parts.query);
      checkDates('params', req.params, parts.params);
      checkDates('body', req.body, parts.body);
    };
    const existing = route.preValidation;
    route.preValidation =
      existing === undefined ? [check] : [...(Array.isArray(existing) ? existing : [existing]), check];
  });
}
