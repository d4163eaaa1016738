import { describe, expect, it } from 'vitest';
import {
  easterSunday,
  expectedBarTimes,
  isMarketOpen,
  isNyseTradingDay,
  lastClosedSession,
  lastMarketTime,
  nyseHoliday,
  nyseHolidays,
  nyseSession,
} from './calendar.ts';

const d = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('Easter computus', () => {
  // Known Easter Sundays (e.g. timeanddate.com): 2019-04-21, 2024-03-31, 2025-04-20, 2038-04-25.
  it.each([
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2038, '2038-04-25'],
  ])('Easter %i is %s', (year, date) => {
    expect(iso(easterSunday(year)).slice(0, 10)).toBe(date);
  });
});

describe('NYSE holidays by rule', () => {
  // Dates from the NYSE holiday schedule (nyse.com/markets/hours-calendars).
  it('lists the 2024 holidays', () => {
    const dates = [...nyseHolidays(2024).keys()].map((k) => iso(k).slice(0, 10)).sort();
    expect(dates).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ]);
  });

  it('closes on Good Friday 2024-03-29', () => {
    expect(nyseHoliday(d('2024-03-29'))).toBe('Good Friday');
    expect(isNyseTradingDay(d('2024-03-29'))).toBe(false);
    expect(nyseSession(d('2024-03-29'))).toBeNull();
  });

  it('observes Christmas 2021 (a Saturday) on Friday 2021-12-24', () => {
    expect(nyseHoliday(d('2021-12-24'))).toBe('Christmas Day');
    expect(isNyseTradingDay(d('2021-12-24'))).toBe(false);
  });

  it("does not observe New Year's Day 2022 (a Saturday) on Friday 2021-12-31", () => {
    expect(isNyseTradingDay(d('2021-12-31'))).toBe(true);
    expect(nyseHoliday(d('2022-01-01'))).toBeNull();
  });

  it("observes New Year's Day 2023 (a Sunday) on Monday 2023-01-02", () => {
    expect(nyseHoliday(d('2023-01-02'))).toBe("New Year's Day");
  });

  it('observes Juneteenth only from 2022; 2022-06-19 (Sunday) on Monday 2022-06-20', () => {
    expect(isNyseTradingDay(d('2021-06-18'))).toBe(true);
    expect(nyseHoliday(d('2022-06-20'))).toBe('Juneteenth');
  });

  it('observes Independence Day 2020 (a Saturday) on Friday 2020-07-03', () => {
    expect(nyseHoliday(d('2020-07-03'))).toBe('Independence Day');
  });

  it('treats weekends as non-trading days and knows one-off closures', () => {
    expect(isNyseTradingDay(d('2024-03-30'))).toBe(false);
    expect(isNyseTradingDay(d('2025-01-09'))).toBe(false);
    expect(isNyseTradingDay(d('2024-03-28'))).toBe(true);
  });
});

describe('NYSE sessions with DST', () => {
  it('opens 09:30 EST = 14:30 UTC in winter and 09:30 EDT = 13:30 UTC in summer', () => {
    expect(nyseSession(d('2024-01-02'))).toEqual({
      open: t('2024-01-02T14:30:00Z'),
      close: t('2024-01-02T21:00:00Z'),
      early: false,
    });
    expect(nyseSession(d('2024-07-01'))?.open).toBe(t('2024-07-01T13:30:00Z'));
  });

  it('uses EDT on the Monday after the spring switch (2024-03-10) and EST after the fall one (2024-11-03)', () => {
    expect(nyseSession(d('2024-03-08'))?.open).toBe(t('2024-03-08T14:30:00Z'));
    expect(nyseSession(d('2024-03-11'))?.open).toBe(t('2024-03-11T13:30:00Z'));
    expect(nyseSession(d('2024-11-01'))?.close).toBe(t('2024-11-01T20:00:00Z'));
    expect(nyseSession(d('2024-11-04'))?.close).toBe(t('2024-11-04T21:00:00Z'));
  });

  it('closes early at 13:00 ET the day after Thanksgiving (2023-11-24), on 3 July and Christmas Eve', () => {
    expect(nyseSession(d('2023-11-24'))).toEqual({
      open: t('2023-11-24T14:30:00Z'),
      close: t('2023-11-24T18:00:00Z'),
      early: true,
    });
    expect(nyseSession(d('2024-07-03'))?.close).toBe(t('2024-07-03T17:00:00Z'));
    expect(nyseSession(d('2024-12-24'))?.early).toBe(true);
    expect(nyseSession(d('2024-12-23'))?.early).toBe(false);
  });

  it('finds the last closed session over a holiday weekend', () => {
    // Saturday 2024-03-30 after Good Friday: the last session is Thursday 2024-03-28.
    expect(lastClosedSession(t('2024-03-30T12:00:00Z')).close).toBe(t('2024-03-28T20:00:00Z'));
    // During the session of 2024-04-01 the last closed one is still 2024-03-28.
    expect(lastClosedSession(t('2024-04-01T15:00:00Z')).close).toBe(t('2024-03-28T20:00:00Z'));
    expect(lastClosedSession(t('2024-04-01T20:00:00Z')).close).toBe(t('2024-04-01T20:00:00Z'));
  });
});

describe('isMarketOpen per asset class', () => {
  it('crypto and stablecoins never close', () => {
    expect(isMarketOpen('crypto', t('2024-03-30T03:00:00Z'))).toBe(true);
    expect(isMarketOpen('stablecoin', t('2024-12-25T12:00:00Z'))).toBe(true);
  });

  it('equities follow the NYSE session', () => {
    expect(isMarketOpen('equity', t('2024-04-01T13:29:00Z'))).toBe(false);
    expect(isMarketOpen('equity', t('2024-04-01T13:30:00Z'))).toBe(true);
    expect(isMarketOpen('etf', t('2024-04-01T19:59:59Z'))).toBe(true);
    expect(isMarketOpen('index', t('2024-04-01T20:00:00Z'))).toBe(false);
    expect(isMarketOpen('equity', t('2024-03-29T15:00:00Z'))).toBe(false);
  });

  it('fx trades Sunday 17:00 to Friday 17:00 New York', () => {
    // 2024-03-08 is a Friday in EST (17:00 = 22:00 UTC); 2024-03-10 Sunday is in EDT (17:00 = 21:00 UTC).
    expect(isMarketOpen('fx', t('2024-03-08T21:59:00Z'))).toBe(true);
    expect(isMarketOpen('fx', t('2024-03-08T22:00:00Z'))).toBe(false);
    expect(isMarketOpen('fx', t('2024-03-09T12:00:00Z'))).toBe(false);
    expect(isMarketOpen('fx', t('2024-03-10T20:59:00Z'))).toBe(false);
    expect(isMarketOpen('fx', t('2024-03-10T21:00:00Z'))).toBe(true);
    expect(lastMarketTime('fx', t('2024-03-09T12:00:00Z'))).toBe(t('2024-03-08T22:00:00Z'));
  });
});

describe('expectedBarTimes', () => {
  it('daily equities: trading days at 00:00 UTC (Good Friday week 2024)', () => {
    const got = expectedBarTimes('equity', '1d', { from: d('2024-03-25'), to: d('2024-04-02') });
    expect(got.map((x) => iso(x).slice(0, 10))).toEqual([
      '2024-03-25',
      '2024-03-26',
      '2024-03-27',
      '2024-03-28',
      '2024-04-01',
    ]);
  });

  it('daily crypto: every UTC day; daily fx: weekdays', () => {
    expect(expectedBarTimes('crypto', '1d', { from: d('2024-03-25'), to: d('2024-04-02') })).toHaveLength(8);
    expect(expectedBarTimes('fx', '1d', { from: d('2024-03-25'), to: d('2024-04-02') })).toHaveLength(6);
  });

  it('hourly equities start at the open: 7 bars a full day, 4 on an early close', () => {
    const full = expectedBarTimes('equity', '1h', { from: d('2024-04-01'), to: d('2024-04-02') });
    expect(full.map(iso)).toEqual([
      '2024-04-01T13:30:00.000Z',
      '2024-04-01T14:30:00.000Z',
      '2024-04-01T15:30:00.000Z',
      '2024-04-01T16:30:00.000Z',
      '2024-04-01T17:30:00.000Z',
      '2024-04-01T18:30:00.000Z',
      '2024-04-01T19:30:00.000Z',
    ]);
    expect(expectedBarTimes('equity', '1h', { from: d('2023-11-24'), to: d('2023-11-25') })).toHaveLength(4);
  });

  it('hourly crypto: 24 a day, 23 or 25 are never produced (UTC has no DST)', () => {
    expect(expectedBarTimes('crypto', '1h', { from: d('2024-03-10'), to: d('2024-03-11') })).toHaveLength(24);
  });

  it('hourly fx over a weekend: 120 bars from Sunday 21:00 UTC to Friday 21:00 UTC (EDT)', () => {
    const got = expectedBarTimes('fx', '1h', { from: d('2024-04-06'), to: d('2024-04-13') });
    expect(got).toHaveLength(120);
    expect(iso(got[0] ?? 0)).toBe('2024-04-07T21:00:00.000Z');
  });

  it('economic series expect nothing', () => {
    expect(expectedBarTimes('economic', '1d', { from: d('2024-01-01'), to: d('2024-02-01') })).toEqual([]);
  });
});
