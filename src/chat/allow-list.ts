/**
 * What guarded chat SQL may touch. Allow-lists, not deny-lists: a function, type or relation that is not
 * named here is refused, so a new side-effect function in a future PostgreSQL is refused by default.
 */

/** Schemas any chat query may read. */
export const PUBLIC_SCHEMAS: ReadonlySet<string> = new Set([
  'market_data',
  'derived',
  'economic_data',
  'news',
  'events',
  'risk',
]);

/** Read-only views of `ops` (its tables hold job internals and quarantined raw rows). */
export const OPS_VIEWS: ReadonlySet<string> = new Set(['recent_price_anomalies', 'data_gaps']);

/**
 * Private data: never described to, nor queried for, the cloud model. Whole schemas, plus single tables
 * of otherwise public schemas (`schema.table`).
 */
export const PRIVATE_SCHEMAS: ReadonlySet<string> = new Set(['execution', 'strategies', 'config']);
const PRIVATE_TABLES: ReadonlySet<string> = new Set(['risk.portfolios']);

export function isPrivateRelation(schema: string, table: string): boolean {
  return PRIVATE_SCHEMAS.has(schema) || PRIVATE_TABLES.has(`${schema}.${table}`);
}

/** Functions (by name, lower case, optionally `pg_catalog.`-qualified) a chat query may call. */
// biome-ignore format: the list reads better packed
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'sum', 'avg', 'min', 'max', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp',
  'var_pop', 'corr', 'covar_pop', 'covar_samp', 'regr_slope', 'regr_intercept', 'regr_r2', 'regr_count',
  'percentile_cont', 'percentile_disc', 'mode', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every',
  'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg',
  // window
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value',
  'last_value', 'nth_value',
  // maths
  'abs', 'round', 'trunc', 'ceil', 'ceiling', 'floor', 'sqrt', 'cbrt', 'power', 'pow', 'exp', 'ln', 'log',
  'log10', 'sign', 'mod', 'div', 'width_bucket', 'pi', 'greatest', 'least',
  // text (nothing that builds strings of a caller-chosen size: no repeat, lpad, rpad)
  'lower', 'upper', 'length', 'char_length', 'substr', 'substring', 'trim', 'btrim', 'ltrim', 'rtrim',
  'replace', 'concat', 'concat_ws', 'left', 'right', 'split_part', 'position', 'strpos', 'initcap',
  'starts_with', 'regexp_replace', 'regexp_match', 'regexp_like', 'to_char', 'to_number',
  // time
  'now', 'date_trunc', 'date_part', 'extract', 'age', 'make_date', 'make_interval', 'make_timestamp',
  'make_timestamptz', 'date_bin', 'time_bucket', 'timezone', 'to_date', 'to_timestamp', 'isfinite',
  // json and arrays
  'jsonb_array_elements', 'jsonb_array_elements_text', 'json_array_elements', 'json_array_elements_text',
  'jsonb_each', 'jsonb_each_text', 'jsonb_object_keys', 'jsonb_extract_path', 'jsonb_extract_path_text',
  'jsonb_array_length', 'json_build_object', 'jsonb_build_object', 'to_json', 'to_jsonb', 'jsonb_typeof',
  'array_length', 'cardinality', 'unnest', 'array_position', 'array_to_string',
  // null handling spelled as functions
  'coalesce', 'nullif',
]);

/** Types a value may be cast to (last name part, lower case). No reg* types, no large objects. */
// biome-ignore format: the list reads better packed
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint', 'numeric', 'decimal', 'float4', 'float8',
  'real', 'double precision', 'text', 'varchar', 'char', 'bpchar', 'bool', 'boolean', 'date', 'time',
  'timestamp', 'timestamptz', 'interval', 'json', 'jsonb',
]);
