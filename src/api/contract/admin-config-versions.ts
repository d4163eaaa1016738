import { z } from 'zod';
import { AnyObject, adminErrorResponses, adminSecurity, errorResponses, QueryFlag } from './common.ts';

/**
 * The admin API for config versions (`/admin/config/versions`, diff, rollback), change sets, environments
 * (promote), canaries and the audit chain (verify, export). The routes validate with these schemas, the
 * OpenAPI document shows them and the Admin page's versions panel imports their types.
 */

/** A parameter's state in a version (null: absent). */
const ParamState = z
  .object({
    value: z.unknown().optional(),
    value_type: z.string().optional(),
    description: z.string().optional(),
    validation: AnyObject.optional(),
  })
  .nullable();

const ConfigVersion = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  who: z.string(),
  reason: z.string(),
  kind: z.enum(['change', 'rollback', 'promote', 'canary']),
  env: z.string(),
  rolled_back_to: z.number().int().nullable(),
  client_ip: z.string().nullable(),
  changes: z.array(
    z.object({
      env: z.string(),
      category: z.string(),
      key: z.string(),
      old_state: ParamState,
      new_state: ParamState,
    }),
  ),
});
export type ConfigVersion = z.infer<typeof ConfigVersion>;

const ConfigVersionList = z.object({ versions: z.array(ConfigVersion) });
export type ConfigVersionList = z.infer<typeof ConfigVersionList>;

const VersionResult = z.object({ version: ConfigVersion.nullable() });

const ConfigDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(
    z.object({
      env: z.string(),
      category: z.string(),
      key: z.string(),
      /** Value at the first version (null: absent). */
      from: z.unknown().optional(),
      to: z.unknown().optional(),
      from_state: ParamState,
      to_state: ParamState,
    }),
  ),
});
export type ConfigDiff = z.infer<typeof ConfigDiff>;

const ConfigCanary = z.object({
  id: z.number().int(),
  created_at: z.string(),
  who: z.string(),
  reason: z.string(),
  env: z.string(),
  target: z.object({ process: z.string().optional(), percent: z.number().optional() }),
  changes: z.array(z.object({ category: z.string(), key: z.string(), value: z.unknown().optional() })),
  status: z.string(),
  closed_at: z.string().nullable(),
  closed_by: z.string().nullable(),
  version_id: z.number().int().nullable(),
  /** Quotes and VaR side by side (with `report`). */
  report: AnyObject.nullable().optional(),
});

const AuditVerify = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  first_bad_id: z.number().int().optional(),
  problem: z.string().optional(),
  head_hash: z.string().optional(),
});
export type AuditVerify = z.infer<typeof AuditVerify>;

const Reason = z.string().min(1).max(1000);

const ChangeItems = z
  .array(
    z.object({
      category: z.string().max(100),
      key: z.string().max(200),
      value: z.unknown().refine((v) => v !== undefined, 'value is required'),
    }),
  )
  .min(1)
  .max(200);

const errors = adminErrorResponses;
const writeErrors = { ...errors, 409: errorResponses[400], 503: errorResponses[500] } as const;
const security = adminSecurity;
const tags = ['admin'];

/** Route schemas (OpenAPI document, validation, serialisation). */
export const adminConfigVersionRoutes = {
  versions: {
    tags,
    security,
    summary: 'Config versions, newest first (optionally those touching one parameter)',
    querystring: z.object({
      category: z.string().optional(),
      key: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
    }),
    response: { 200: ConfigVersionList, ...writeErrors },
  },
  diff: {
    tags,
    security,
    summary: 'What differs between two versions (0 = before the first)',
    querystring: z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) }),
    response: { 200: ConfigDiff, ...writeErrors },
  },
  rollback: {
    tags,
    security,
    summary: 'Bring every parameter changed since version `to` back to its value then (a new version)',
    body: z.object({ to: z.number().int().min(0), reason: Reason }),
    response: { 200: VersionResult, ...writeErrors },
  },
  changes: {
    tags,
    security,
    summary: 'Apply several values as one version, or start them as a canary (`canary`: serve-2 or 10%)',
    body: z.object({
      changes: ChangeItems,
      reason: Reason,
      env: z.string().max(50).optional(),
      canary: z.string().max(100).optional(),
    }),
    response: {
      200: z.object({ version: ConfigVersion.nullable().optional(), canary: ConfigCanary.optional() }),
      ...writeErrors,
    },
  },
  promote: {
    tags,
    security,
    summary: 'Copy the values one environment overrides into another as one version',
    body: z.object({
      from: z.string().max(50),
      to: z.string().max(50),
      keys: z.array(z.string().max(300)).max(500).optional(),
      reason: Reason,
    }),
    response: { 200: VersionResult, ...writeErrors },
  },
  canaries: {
    tags,
    security,
    summary: 'Active canaries (all with `all`), with quotes and VaR side by side when `report`',
    querystring: z.object({ all: QueryFlag.default(false), report: QueryFlag.default(false) }),
    response: { 200: z.object({ canaries: z.array(ConfigCanary) }), ...writeErrors },
  },
  canaryAction: {
    tags,
    security,
    summary: 'Promote a canary to everyone (one version) or roll it back',
    params: z.object({ id: z.coerce.number().int().min(1), action: z.enum(['promote', 'rollback']) }),
    body: z.object({ reason: Reason }),
    response: {
      200: z.object({ canary: ConfigCanary.optional(), version: ConfigVersion.nullable().optional() }),
      ...writeErrors,
    },
  },
  verify: {
    tags,
    security,
    summary: 'Recompute the audit chain: ok, entries, first_bad_id',
    querystring: z.object({
      head: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash (64 hex digits)')
        .optional(),
    }),
    response: { 200: AuditVerify, ...writeErrors },
  },
  export: {
    tags,
    security,
    summary: 'Audit entries in a date range as JSON lines or CSV, ending with the chain head hash',
    querystring: z.object({
      from: z.string().max(40).optional(),
      to: z.string().max(40).optional(),
      format: z.enum(['jsonl', 'csv']).default('jsonl'),
    }),
    response: { 200: z.string(), ...writeErrors },
  },
} as const;
