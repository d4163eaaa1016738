import { appendAudit } from '../audit/chain.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import { type Canary, type CanaryRow, type CanaryTarget, selectCanaries, toCanary } from './canary-repo.ts';
import { guardDb } from './db-errors.ts';
import { BASE_ENV, checkEnv } from './environments.ts';
import { planValues, type ValueChange } from './service.ts';
import type { ConfigStore } from './store.ts';
import type { ChangeContext } from './types.ts';
import { commitVersion, type Version } from './versions.ts';

/** Starts, promotes and rolls back canaries (the CLI and the admin API use it alike). */
export class ConfigCanaries {
  constructor(
    private readonly db: Db,
    private readonly store?: ConfigStore,
  ) {}

  list(all = false): Promise<Canary[]> {
    return guardDb('read canaries', () => selectCanaries(this.db, { all }));
  }

  async get(id: number): Promise<Canary> {
    const res = await guardDb('read canary', () =>
      this.db.query<CanaryRow>('SELECT * FROM config.canaries WHERE id = $1', [id]),
    );
    const row = res.rows[0];
    if (!row) throw new NotFoundError(`no canary ${id}`);
    return toCanary(row);
  }

  /** Validates the change set and serves it to `target` only. */
  async start(changes: readonly ValueChange[], target: CanaryTarget, ctx: ChangeContext): Promise<Canary> {
    if (!ctx.reason.trim()) throw new ValidationError('reason is required: say why the parameter changes');
    const env = checkEnv(ctx.env ?? BASE_ENV);
    const c = await guardDb('start canary', () =>
      this.db.transaction(async (tx) => {
        const planned = await planValues(tx, env, changes);
        const values = planned.map((p) => ({
          category: p.category,
          key: p.key,
          value: p.state?.value ?? null,
        }));
        const res = await tx.query<CanaryRow>(
          `INSERT INTO config.canaries (who, reason, env, target_process, target_percent, changes)
           VALUES ($1, $2, $3, $4, $5, $6::text::jsonb) RETURNING *`,
          [
            ctx.who,
            ctx.reason,
            env,
            'process' in target ? target.process : null,
            'percent' in target ? target.percent : null,
            JSON.stringify(values),
          ],
        );
        const row = res.rows[0];
        if (!row) throw new Error('config.canaries insert returned no row');
        const canary = toCanary(row);
        await appendAudit(tx, {
          kind: 'config',
          actor: ctx.who,
          action: 'canary start',
          subject: `canary ${canary.id}`,
          detail: { env, target, reason: ctx.reason, changes: values, client_ip: ctx.clientIp ?? null },
        });
        return canary;
      }),
    );
    await this.store?.reload();
    return c;
  }

  /** Applies the canary's change set to everyone as one version. */
  async promote(id: number, ctx: ChangeContext): Promise<{ canary: Canary; version: Version | null }> {
    const out = await this.close(id, 'promoted', ctx, async (tx, c) => {
      const planned = await planValues(tx, c.env, c.changes);
      return commitVersion(
        tx,
        {
          kind: 'canary',
          env: c.env,
          who: ctx.who,
          reason: `${ctx.reason} (canary ${id})`,
          clientIp: ctx.clientIp,
        },
        planned,
      );
    });
    return out;
  }

  /** Stops serving the canary's values; nobody's values change otherwise. */
  rollback(id: number, ctx: ChangeContext): Promise<{ canary: Canary; version: Version | null }> {
    return this.close(id, 'rolled_back', ctx, async () => null);
  }

  private async close(
    id: number,
    status: 'promoted' | 'rolled_back',
    ctx: ChangeContext,
    apply: (tx: Queryable, c: Canary) => Promise<Version | null>,
  ): Promise<{ canary: Canary; version: Version | null }> {
    if (!ctx.reason.trim()) throw new ValidationError('reason is required: say why');
    const out = await guardDb(`${status === 'promoted' ? 'promote' : 'roll back'} canary`, () =>
      this.db.transaction(async (tx) => {
        const res = await tx.query<CanaryRow>('SELECT * FROM config.canaries WHERE id = $1 FOR UPDATE', [id]);
        const row = res.rows[0];
        if (!row) throw new NotFoundError(`no canary ${id}`);
        const c = toCanary(row);
        if (c.status !== 'active')
          throw new ConflictError(`canary ${id} is already ${c.status.replace('_', ' ')}`);
        const version = await apply(tx, c);
        const upd = await tx.query<CanaryRow>(
          `UPDATE config.canaries SET status = $2, closed_at = now(), closed_by = $3, version_id = $4
            WHERE id = $1 RETURNING *`,
          [id, status, ctx.who, version?.id ?? null],
        );
        const closed = toCanary(upd.rows[0] ?? row);
        await appendAudit(tx, {
          kind: 'config',
          actor: ctx.who,
          action: status === 'promoted' ? 'canary promote' : 'canary rollback',
          subject: `canary ${id}`,
          detail: { reason: ctx.reason, version: version?.id ?? null, client_ip: ctx.clientIp ?? null },
        });
        return { canary: closed, version };
      }),
    );
    await this.store?.reload();
    return out;
  }
}
