import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The dashboard build. `npm run build:web` writes `web/dist` (served by `marketpipe serve` at `/`);
 * `npm run dev:web` serves with live reload and proxies the API to `MARKETPIPE_API`
 * (default http://127.0.0.1:3000, where `marketpipe serve` listens).
 */
const api = process.env.MARKETPIPE_API ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/admin', '/health', '/ready', '/metrics', '/docs', '/quote'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 300,
    reportCompressedSize: false,
  },
  server: {
    port: 5173,
    proxy: {
      ...Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: true }])),
      '/ws': { target: api.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
});
