import { describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderRequestError, RateLimitedError } from '../errors.ts';
import { alphaVantageMessageError } from './client.ts';
import { avEarningsCalendar, avTime, parseCsv } from './mapping.ts';

describe('alphaVantageMessageError: HTTP-200 bodies that are not data', () => {
  it('Note and Information are rate limiting (retry in a minute)', () => {
    const note = alphaVantageMessageError(
      '{"Note": "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute"}',
    );
    expect(note).toBeInstanceOf(RateLimitedError);
    expect((note as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(
      alphaVantageMessageError('{"Information": "Our standard API rate limit is 25 requests per day."}'),
    ).toBeInstanceOf(RateLimitedError);
  });
  it('an invalid key is an auth error, another Error Message a request error', () => {
    expect(
      alphaVantageMessageError('{"Error Message": "the parameter apikey is invalid or missing."}'),
    ).toBeInstanceOf(ProviderAuthError);
    expect(alphaVantageMessageError('{"Error Message": "Invalid API call."}')).toBeInstanceOf(
      ProviderRequestError,
    );
  });
  it('data is not an error', () => {
    expect(alphaVantageMessageError('{"feed": []}')).toBeUndefined();
    expect(alphaVantageMessageError('symbol,name,reportDate\n')).toBeUndefined();
  });
});

describe('Alpha Vantage mapping', () => {
  it('reads time_published as UTC', () => {
    expect(avTime('20240110T153000')).toBe(Date.UTC(2024, 0, 10, 15, 30));
    expect(avTime('20240110T1530')).toBe(Date.UTC(2024, 0, 10, 15, 30));
    expect(avTime('nope')).toBeNaN();
  });
  it('parses quoted CSV cells', () => {
    expect(parseCsv('a,b\n"Tesla, Inc.","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['Tesla, Inc.', 'say "hi"'],
    ]);
  });
  it('reads an EARNINGS_CALENDAR without the timeOfTheDay column', () => {
    const rows = avEarningsCalendar(
      'symbol,name,reportDate,fiscalDateEnding,estimate,currency\nIBM,IBM,2024-04-24,2024-03-31,,USD\n',
      (t) => t,
    );
    expect(rows).toEqual([
      expect.objectContaining({ symbol: 'IBM', reportDate: '2024-04-24', estimate: null, timeOfDay: null }),
    ]);
  });
});
