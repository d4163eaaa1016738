import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { UnavailableError } from '../core/errors.ts';

/**
 * Serves the built dashboard (`web/dist`) at `/`: files as they are, `index.html` for any other browser
 * navigation (the dashboard routes in the browser: `/asset/BTC`, `/risk`…). API paths never fall back to
 * the page; they keep their JSON 404. Without a build, `/` says how to make one and the API is unaffected.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm run build:web` writes the dashboard. */
/** @public Also read from dist/ by the compiled-bin test. */
export const WEB_DIST = join(REPO_ROOT, 'web', 'dist');

/**
 * Paths under these belong to the API: an unknown one is a JSON 404, never the dashboard page. (`/admin`
 * itself is the dashboard's admin page; the admin API lives under `/admin/…`.)
 */
const API_PREFIXES = ['api/', 'admin/', 'ws/', 'docs/', 'metrics/', 'health/', 'ready/', 'quote/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);

export interface WebOptions {
  /** Directory holding the built dashboard. @defaultValue WEB_DIST */
  root?: string;
}

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  mtimeMs: number;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>marketpipe</title>
<body style="font-family:system-ui;max-width:40em;margin:3em auto;padding:0 1em">
<h1>marketpipe API is running</h1>
<p>The dashboard is not built yet. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it
when missing), then reload. The API itself is documented at <a href="/docs">/docs</a>.</p>`;

/** Fastify plugin serving the dashboard; register it once, after the API routes (order does not matter). */
export const webDashboard: FastifyPluginAsync<WebOptions> = async (app, opts) => {
  const root = normalize(opts.root ?? WEB_DIST);
  const cache = new Map<string, Asset>();

  async function load(file: string): Promise<Asset | null> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(file);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit;
    const body = await readFile(file);
    const gzip = COMPRESSIBLE.has(extname(file)) && body.length > 1024 ? gzipSync(body) : null;
    const asset = { body, gzip, mtimeMs: st.mtimeMs };
    cache.set(file, asset);
    return asset;
  }

  function send(req: FastifyRequest, reply: FastifyReply, file: string, asset: Asset, immutable: boolean) {
    void reply
      .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff');
    const accepts = String(req.headers['accept-encoding'] ?? '');
    if (asset.gzip && /\bgzip\b/.test(accepts)) {
      return reply.header('content-encoding', 'gzip').send(asset.gzip);
    }
    return reply.send(asset.body);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply, rest: string) {
    let path: string;
    try {
      path = decodeURIComponent(rest);
    } catch {
      return reply.callNotFound();
    }
    if (path === 'api' || API_PREFIXES.some((p) => path.startsWith(p))) return reply.callNotFound();
    const index = join(root, 'index.html');
    if (path !== '' && path !== 'index.html') {
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep)) return reply.callNotFound();
      const asset = await load(file);
      if (asset) return send(req, reply, file, asset, path.startsWith('assets/'));
      // A missing file (has an extension) or a non-browser client: a plain 404, not the page.
      const wantsHtml = String(req.headers.accept ?? '').includes('text/html');
      if (extname(path) !== '' || !wantsHtml) return reply.callNotFound();
    }
    const page = await load(index);
    if (!page)
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT);
    return send(req, reply, index, page, false);
  }

  app.get('/', { schema: { hide: true } }, (req, reply) => handle(req, reply, ''));
  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, (req, reply) =>
    handle(req, reply, req.params['*'] ?? ''),
  );
};

let building: Promise<boolean> | null = null;

/**
 * Builds the dashboard when `web/dist/index.html` is missing or older than a file under web/src (what
 * `npm start` calls before serving). Resolves true when it built, false when the build was current;
 * concurrent calls share one build.
 * Throws UnavailableError when Vite is not installed or the build fails.
 */
export function ensureWebBuilt(
  options: { root?: string; log?: (line: string) => void } = {},
): Promise<boolean> {
  building ??= buildIfMissing(options).finally(() => {
    building = null;
  });
  return building;
}

/** Newest modification time (ms) of the dashboard's sources: web/src/**, index.html, vite.config.ts. */
async function newestSource(web: string): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  await Promise.all(['src', 'index.html', 'vite.config.ts'].map((p) => visit(join(web, p))));
  return newest;
}

async function buildIfMissing(options: { root?: string; log?: (line: string) => void }): Promise<boolean> {
  const repo = options.root ?? REPO_ROOT;
  const web = join(repo, 'web');
  let why = 'web/dist is missing';
  try {
    const built = await stat(join(web, 'dist', 'index.html'));
    if ((await newestSource(web)) <= built.mtimeMs) return false;
    why = 'web/src changed since the last build';
  } catch {
    // Not built yet.
  }
  let viteBin: string;
  try {
    const require = createRequire(join(repo, 'package.json'));
    viteBin = join(require.resolve('vite/package.json'), '..', 'bin', 'vite.js');
  } catch (err) {
    throw new UnavailableError('cannot build the dashboard: vite is not installed (run npm ci)', {
      cause: err,
    });
  }
  options.log?.(`building the dashboard (${why})…`);
  const started = Date.now();
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [viteBin, 'build', '--config', join(repo, 'web', 'vite.config.ts')],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (b: Buffer) => {
      output.push(b.toString());
      if (output.length > 50) output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const tail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new UnavailableError(`dashboard build failed (vite exit ${code}): ${tail}`);
  }
  options.log?.(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
