import { describe, expect, it } from 'vitest';
import { describeProviderError, ProviderNotFoundError, withProvider } from './errors.ts';

describe('provider names appear once in error messages', () => {
  it('prefixes a bare message and leaves a prefixed one alone', () => {
    expect(withProvider('polygon', 'symbol QQQ not found')).toBe('polygon: symbol QQQ not found');
    expect(withProvider('polygon', 'polygon: symbol QQQ not found')).toBe('polygon: symbol QQQ not found');
  });

  it('a ProviderError labelled by its source, or re-wrapped, still names the provider once', () => {
    const err = new ProviderNotFoundError('polygon', 'symbol QQQ (GET /v2/aggs/…) not found');
    expect(err.message).toBe('polygon: symbol QQQ (GET /v2/aggs/…) not found');
    expect(describeProviderError('polygon', err)).toBe(err.message);
    expect(new ProviderNotFoundError('polygon', err.message).message).toBe(err.message);
    // Another source's error is labelled with the source that reported it.
    expect(describeProviderError('yahoo', err)).toBe(`yahoo: ${err.message}`);
  });
});
