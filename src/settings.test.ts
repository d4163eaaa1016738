import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './core/errors.ts';
import { loadSettings } from './settings.ts';

const empty = mkdtempSync(join(tmpdir(), 'mp-settings-'));

describe('loadSettings', () => {
  it('applies documented defaults', () => {
    const s = loadSettings({}, empty);
    expect(s.port).toBe(3000);
    expect(s.host).toBe('127.0.0.1');
    expect(s.home).toBe(join(empty, '.marketpipe'));
    expect(s.useMockData).toBe(false);
    expect(s.databaseUrl).toBeUndefined();
  });

  it('names the variable and the bad value in one line', () => {
    expect(() => loadSettings({ PORT: 'abc' }, empty)).toThrow(ConfigError);
    expect(() => loadSettings({ PORT: 'abc' }, empty)).toThrow(/^PORT: .*\(got "abc"\)$/);
    expect(() => loadSettings({ DATABASE_URL: 'mysql://x' }, empty)).toThrow(/^DATABASE_URL: expected a URL/);
    expect(() => loadSettings({ USE_MOCK_DATA: 'maybe' }, empty)).toThrow(
      /^USE_MOCK_DATA: expected true or false/,
    );
  });

  it('never echoes secrets', () => {
    let message = '';
    try {
      loadSettings({ JWT_SECRET: 'short-secret' }, empty);
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).toMatch(/^JWT_SECRET: must be at least 32 characters$/);
  });

  it('reads provider URLs and keys, and honours .env under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-dotenv-'));
    writeFileSync(join(dir, '.env'), 'POLYGON_API_KEY=from-file\nPORT=4000\n');
    const s = loadSettings({ PORT: '5000', POLYGON_BASE_URL: 'http://127.0.0.1:9999' }, dir);
    expect(s.port).toBe(5000);
    expect(s.providers.polygon).toEqual({ baseUrl: 'http://127.0.0.1:9999', apiKey: 'from-file' });
  });
});
