import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/redis-server.ts';

const run = promisify(execFile);
/** The PostgreSQL 15 binaries of the machine (Debian layout); override with `MARKETPIPE_PG_BIN`. */
const BIN = process.env.MARKETPIPE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A private PostgreSQL cluster (initdb + pg_ctl) on its own port and data directory, so a test can stop and
 * restart the database under load without touching the machine's shared server. initdb refuses to run as
 * root, so as root the cluster belongs to the `postgres` system user (commands run through `runuser`).
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly asUser: string | undefined,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async ctl(args: string[]): Promise<void> {
    const cmd = [join(BIN, args[0] ?? ''), ...args.slice(1)];
    if (this.asUser) await run('runuser', ['-u', this.asUser, '--', ...cmd]);
    else await run(cmd[0] ?? '', cmd.slice(1));
  }

  static async start(): Promise<PrivatePostgres> {
    const root = userInfo().uid === 0;
    const dir = mkdtempSync(join(tmpdir(), 'mp-faults-pg-'));
    if (root) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(dir, 0o700);
    const pg = new PrivatePostgres(dir, await freePort(), root ? 'postgres' : undefined);
    await pg.ctl([
      'initdb',
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await pg.up();
    return pg;
  }

  /** Starts the server and waits until it accepts connections. */
  async up(): Promise<void> {
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off -c max_connections=60`;
    await this.ctl([
      'pg_ctl',
      '-D',
      join(this.dir, 'data'),
      '-o',
      opts,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** Stops the server at once (`-m immediate`: like a crash, no checkpoint; recovery replays the WAL). */
  async down(): Promise<void> {
    await this.ctl(['pg_ctl', '-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
