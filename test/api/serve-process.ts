import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REDIS_URL } from './harness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'marketpipe.mjs');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: string[];
}

/**
 * A real `marketpipe --db URL --redis URL --json serve --port 0` (a scaled-out API process), resolved once it
 * prints its URL. `env` is added to this process's environment (e.g. `API_KEYS`, `JWT_SECRET`).
 */
export async function spawnServe(dbUrl: string, env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [BIN, '--db', dbUrl, '--redis', REDIS_URL, '--json', 'serve', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn', ...env } },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in 90 s: ${stderr.join('')}`)),
      90_000,
    );
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const doc = JSON.parse(out) as { url: string };
        clearTimeout(timer);
        resolve(doc.url);
      } catch {
        // the JSON document is not complete yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr.join('')}`));
    });
  });
  return { child, url, stderr };
}
