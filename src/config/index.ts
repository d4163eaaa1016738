/** Configuration parameters: catalogue, cached typed reads with hot reload, audited writes. */

export { guardDb, isUnavailable } from './db-errors.ts';
export * from './defaults.ts';
export * from './domain.ts';
export type { AuditFilter } from './repo.ts';
export { ConfigService, MAX_AUDIT_LIMIT, type NewParameter } from './service.ts';
export * from './store.ts';
export * from './types.ts';
export * from './validate.ts';
