import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../core/errors.ts';
import type { CommandContext, GlobalOptions } from '../context.ts';

/** `marketpipe token create --user NAME --role admin|viewer [--ttl 1h]`: prints the token alone. */
export function register(program: Command, _ctx: () => Promise<CommandContext>): void {
  const token = program
    .command('token')
    .description('bearer tokens for the admin API (signed with JWT_SECRET)');

  token
    .command('create')
    .description('create a token; prints the token alone (--json: {token})')
    .requiredOption('--user <name>', 'who the token speaks for (recorded in the audit log)')
    .requiredOption('--role <role>', 'admin (read-write) or viewer (read-only)')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d (at most 30d)', '1h')
    .action(async (opts: { user: string; role: string; ttl: string }, cmd: Command) => {
      // No store needed: only the secret from the settings.
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const [{ createToken, isRole, MAX_TOKEN_TTL_SECONDS, parseTtl }, { printer, settingsFor }] =
        await Promise.all([import('../../api/auth.ts'), import('../context.ts')]);
      if (!isRole(opts.role)) throw new UsageError(`--role must be admin or viewer, got "${opts.role}"`);
      if (!opts.user.trim()) throw new UsageError('--user must not be empty');
      let ttlSeconds: number;
      try {
        ttlSeconds = parseTtl(opts.ttl);
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError(`--ttl: ${err.message}`, { cause: err });
        throw err;
      }
      if (ttlSeconds > MAX_TOKEN_TTL_SECONDS)
        throw new UsageError(`--ttl: at most ${MAX_TOKEN_TTL_SECONDS / 86_400}d, got ${opts.ttl}`);
      const settings = settingsFor(globals);
      const jwt = await createToken({
        secret: settings.jwtSecret,
        user: opts.user,
        role: opts.role,
        ttlSeconds,
      });
      printer(Boolean(globals.json))({ token: jwt }, (r) => r.token);
    });
}
