import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFor } from './cli/context.ts';
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

  describe('DATABASE_READ_URL (a read replica for the API)', () => {
    const primary = 'postgres://app@db-primary:5432/marketpipe';
    const replica = 'postgres://app@db-replica:5432/marketpipe';

    it('is read next to DATABASE_URL, and absent by default', () => {
      expect(loadSettings({ DATABASE_URL: primary }, empty).databaseReadUrl).toBeUndefined();
      const s = loadSettings({ DATABASE_URL: primary, DATABASE_READ_URL: replica }, empty);
      expect([s.databaseUrl, s.databaseReadUrl]).toEqual([primary, replica]);
    });

    it('is validated like DATABASE_URL', () => {
      expect(() => loadSettings({ DATABASE_URL: primary, DATABASE_READ_URL: 'mysql://x' }, empty)).toThrow(
        /^DATABASE_READ_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\/ \(got "mysql:\/\/x"\)$/,
      );
    });

    it('with the embedded store (no DATABASE_URL) stops the start naming the variable', () => {
      expect(() => loadSettings({ DATABASE_READ_URL: replica }, empty)).toThrow(ConfigError);
      expect(() => loadSettings({ DATABASE_READ_URL: replica }, empty)).toThrow(
        /^DATABASE_READ_URL: a read replica needs DATABASE_URL \(the embedded store has no replicas\)$/,
      );
      // An empty value means unset, as for every other variable.
      expect(loadSettings({ DATABASE_READ_URL: ' ' }, empty).databaseReadUrl).toBeUndefined();
    });

    it('accepts the primary from --db (settingsFor lays the flag over the environment)', () => {
      expect(settingsFor({ db: primary }, { DATABASE_READ_URL: replica }).databaseReadUrl).toBe(replica);
    });
  });

  describe('trading venues (issue 21)', () => {
    it('reads the Binance and Alpaca credentials; unset base URLs stay unset (the brokers default to testnet / paper)', () => {
      const s = loadSettings(
        { BINANCE_API_KEY: 'bk', BINANCE_API_SECRET: 'bs', ALPACA_API_KEY: 'ak', ALPACA_API_SECRET: 'as' },
        empty,
      );
      expect(s.brokers).toEqual({
        binance: { baseUrl: undefined, apiKey: 'bk', apiSecret: 'bs' },
        alpaca: { baseUrl: undefined, apiKey: 'ak', apiSecret: 'as' },
      });
      expect(loadSettings({ ALPACA_BASE_URL: 'http://127.0.0.1:9999' }, empty).brokers.alpaca.baseUrl).toBe(
        'http://127.0.0.1:9999',
      );
    });

    it('a bad ALPACA_BASE_URL stops the start naming the variable and its value', () => {
      expect(() => loadSettings({ ALPACA_BASE_URL: 'ftp://x' }, empty)).toThrow(
        /^ALPACA_BASE_URL: expected a URL starting with http:\/\/ or https:\/\/ \(got "ftp:\/\/x"\)$/,
      );
    });
  });
});
