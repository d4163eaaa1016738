import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, webDashboard } from './static.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('webDashboard serves web/dist with an SPA fallback', () => {
  let dir: string;
  let app: FastifyInstance;
  const js = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(dir, 'assets', 'index-abc.js'), js);
    app = Fastify();
    app.get('/api/market', async () => ({ ok: true }));
    await app.register(webDashboard, { root: dir });
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for browser navigations to dashboard routes', async () => {
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toContain('text/html');
    expect(root.body).toContain('id="app"');
    const deep = await app.inject({ url: '/asset/BTC', headers: { accept: 'text/html' } });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('id="app"');
    expect(deep.headers['cache-control']).toBe('no-cache');
    // `/admin` is the dashboard's admin page; the admin API is under `/admin/…`.
    expect((await app.inject({ url: '/admin', headers: { accept: 'text/html' } })).body).toContain(
      'id="app"',
    );
    expect((await app.inject({ url: '/admin/nope', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });

  it('serves hashed assets immutable, gzipped when asked', async () => {
    const plain = await app.inject({ url: '/assets/index-abc.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toContain('javascript');
    expect(plain.headers['cache-control']).toContain('immutable');
    expect(plain.body).toBe(js);
    const gz = await app.inject({ url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(js.length);
  });

  it('leaves API routes alone and answers 404 for unknown API paths and missing files', async () => {
    expect((await app.inject({ url: '/api/market' })).json()).toEqual({ ok: true });
    const api = await app.inject({ url: '/api/nope', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.body).not.toContain('id="app"');
    expect(
      (await app.inject({ url: '/assets/missing.js', headers: { accept: 'text/html' } })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ url: '/somewhere', headers: { accept: 'application/json' } })).statusCode,
    ).toBe(404);
  });

  it('refuses paths escaping the root', async () => {
    const res = await app.inject({ url: '/..%2F..%2Fetc%2Fpasswd' });
    expect(res.statusCode).toBe(404);
  });

  it('says how to build the dashboard when there is no build', async () => {
    const bare = Fastify();
    await bare.register(webDashboard, { root: join(dir, 'nothing-here') });
    const res = await bare.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build:web');
    await bare.close();
  });
});

describe('ensureWebBuilt', () => {
  it('builds web/dist when it is missing, then leaves a current build alone', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'mp-webbuild-'));
    try {
      await mkdir(join(repo, 'web', 'src'), { recursive: true });
      await symlink(join(REPO, 'node_modules'), join(repo, 'node_modules'));
      await writeFile(join(repo, 'package.json'), '{"type":"module"}');
      await writeFile(
        join(repo, 'web', 'vite.config.ts'),
        "import { defineConfig } from 'vite';\nexport default defineConfig({ root: import.meta.dirname, logLevel: 'silent' });\n",
      );
      await writeFile(
        join(repo, 'web', 'index.html'),
        '<!doctype html><script type="module" src="/src/main.ts"></script>',
      );
      await writeFile(join(repo, 'web', 'src', 'main.ts'), "document.title = 'built';\n");
      const lines: string[] = [];
      expect(await ensureWebBuilt({ root: repo, log: (l) => lines.push(l) })).toBe(true);
      expect(existsSync(join(repo, 'web', 'dist', 'index.html'))).toBe(true);
      expect(lines[0]).toContain('web/dist is missing');
      expect(await ensureWebBuilt({ root: repo })).toBe(false);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }, 60_000);
});
