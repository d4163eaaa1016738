/**
 * Market calendars computed by rule, for any year: the NYSE (equities, ETFs, indices), FX (24/5) and crypto
 * (24/7). Everything in and out is UTC epoch ms; New York wall time is converted with `Intl` (DST included).
 *
 * Conventions (relied on by gap detection and freshness):
 * - A *day* is named by its UTC midnight: daily bars are stored at 00:00 UTC of the trading date, so
 *   `isNyseTradingDay(Date.UTC(2024, 2, 29))` asks about 29 March 2024 whatever the hour.
 * - Intraday equity bars start at the session open and step by the interval (09:30, 10:30, …, 15:30 for
 *   `1h`, like Yahoo); the last bar of a session may be shorter than the interval.
 * - Intraday crypto/FX bars are aligned to multiples of the interval since the epoch (00:00, 01:00 … UTC).
 * - FX trades from Sunday 17:00 to Friday 17:00 America/New_York; daily FX bars are expected Monday–Friday.
 * - Economic series have no market: nothing is expected and the market is never "open".
 */
import type { AssetClass, Interval, TimeRange } from './types.ts';
import { INTERVAL_MS } from './types.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const NEW_YORK = 'America/New_York';

/** One NYSE trading session in UTC epoch ms; `early` is true on 13:00 ET early-close days. */
export interface Session {
  open: number;
  close: number;
  early: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// New York wall time ↔ UTC

const nyFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** UTC offset of New York at instant `utcMs`, in ms (−5 h in winter, −4 h in summer). */
function newYorkOffsetMs(utcMs: number): number {
  const parts = nyFormat.formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / MINUTE_MS) * MINUTE_MS;
}

const offsetByDay = new Map<number, number>();

/**
 * UTC instant of New York wall time `minutes` after midnight of the date whose UTC midnight is `dayUtc`.
 * Valid for wall times that exist on that day (market times 09:30, 13:00, 16:00, 17:00 always do).
 */
export function newYorkWallToUtc(dayUtc: number, minutes: number): number {
  const key = dayUtc + minutes * MINUTE_MS;
  const cached = offsetByDay.get(key);
  if (cached !== undefined) return key - cached;
  let offset = newYorkOffsetMs(key - newYorkOffsetMs(key));
  const check = newYorkOffsetMs(key - offset);
  if (check !== offset) offset = check;
  if (offsetByDay.size > 100_000) offsetByDay.clear();
  offsetByDay.set(key, offset);
  return key - offset;
}

/** UTC midnight naming the New York calendar date that holds instant `utcMs`. */
export function newYorkDate(utcMs: number): number {
  return Math.floor((utcMs + newYorkOffsetMs(utcMs)) / DAY_MS) * DAY_MS;
}

// ---------------------------------------------------------------------------------------------------------
// NYSE holidays by rule

/** Easter Sunday (Gregorian, anonymous computus) as UTC midnight. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** The `n`-th (1-based) `weekday` (0 = Sunday) of a month; `n = -1` for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n < 0) {
    const last = Date.UTC(year, month + 1, 0);
    const back = (new Date(last).getUTCDay() - weekday + 7) % 7;
    return last - back * DAY_MS;
  }
  const first = Date.UTC(year, month, 1);
  const forward = (weekday - new Date(first).getUTCDay() + 7) % 7;
  return first + (forward + (n - 1) * 7) * DAY_MS;
}

/** Fixed-date holiday moved to Friday when on Saturday and to Monday when on Sunday. */
function observed(day: number): number {
  const wd = new Date(day).getUTCDay();
  if (wd === 6) return day - DAY_MS;
  if (wd === 0) return day + DAY_MS;
  return day;
}

/**
 * One-off closures not given by any rule (national mourning, weather, 9/11). Dates as `YYYY-MM-DD`.
 * Source: NYSE "Holidays and Trading Hours" history.
 */
const SPECIAL_CLOSURES: Readonly<Record<string, string>> = {
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'National Day of Mourning (Reagan)',
  '2007-01-02': 'National Day of Mourning (Ford)',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'National Day of Mourning (G. H. W. Bush)',
  '2025-01-09': 'National Day of Mourning (Carter)',
};

const holidaysByYear = new Map<number, ReadonlyMap<number, string>>();

/** NYSE full-day holidays of a year: UTC midnight → name. */
export function nyseHolidays(year: number): ReadonlyMap<number, string> {
  const cached = holidaysByYear.get(year);
  if (cached) return cached;
  const h = new Map<number, string>();
  // New Year's Day: Sunday → Monday; Saturday → not observed (the NYSE does not close on 31 December).
  const newYear = Date.UTC(year, 0, 1);
  const nyWd = new Date(newYear).getUTCDay();
  if (nyWd !== 6) h.set(nyWd === 0 ? newYear + DAY_MS : newYear, "New Year's Day");
  if (year >= 1998) h.set(nthWeekday(year, 0, 1, 3), 'Martin Luther King Jr. Day');
  h.set(nthWeekday(year, 1, 1, 3), "Washington's Birthday");
  h.set(easterSunday(year) - 2 * DAY_MS, 'Good Friday');
  h.set(nthWeekday(year, 4, 1, -1), 'Memorial Day');
  if (year >= 2022) h.set(observed(Date.UTC(year, 5, 19)), 'Juneteenth');
  h.set(observed(Date.UTC(year, 6, 4)), 'Independence Day');
  h.set(nthWeekday(year, 8, 1, 1), 'Labor Day');
  h.set(nthWeekday(year, 10, 4, 4), 'Thanksgiving Day');
  h.set(observed(Date.UTC(year, 11, 25)), 'Christmas Day');
  for (const [date, name] of Object.entries(SPECIAL_CLOSURES)) {
    if (date.startsWith(`${year}-`)) h.set(Date.parse(`${date}T00:00:00Z`), name);
  }
  holidaysByYear.set(year, h);
  return h;
}

/** Name of the NYSE holiday on the UTC date of `dayUtcMs`, or null. Weekends are not holidays. */
export function nyseHoliday(dayUtcMs: number): string | null {
  const day = Math.floor(dayUtcMs / DAY_MS) * DAY_MS;
  return nyseHolidays(new Date(day).getUTCFullYear()).get(day) ?? null;
}

/** True when the NYSE trades on the UTC date of `dayUtcMs` (a weekday that is not a holiday). */
export function isNyseTradingDay(dayUtcMs: number): boolean {
  const day = Math.floor(dayUtcMs / DAY_MS) * DAY_MS;
  const wd = new Date(day).getUTCDay();
  return wd !== 0 && wd !== 6 && nyseHoliday(day) === null;
}

/**
 * Early close (13:00 ET): 3 July when it is a trading day, the day after Thanksgiving, and 24 December when
 * it is a trading day.
 */
function isEarlyClose(day: number): boolean {
  const d = new Date(day);
  const month = d.getUTCMonth();
  const date = d.getUTCDate();
  if (month === 6 && date === 3) return true;
  if (month === 11 && date === 24) return true;
  if (month === 10) return day === nthWeekday(d.getUTCFullYear(), 10, 4, 4) + DAY_MS;
  return false;
}

/** The NYSE session on the UTC date of `dayUtcMs` (09:30–16:00 ET, 13:00 on early closes), or null. */
export function nyseSession(dayUtcMs: number): Session | null {
  const day = Math.floor(dayUtcMs / DAY_MS) * DAY_MS;
  if (!isNyseTradingDay(day)) return null;
  const early = isEarlyClose(day);
  return {
    open: newYorkWallToUtc(day, 9 * 60 + 30),
    close: newYorkWallToUtc(day, early ? 13 * 60 : 16 * 60),
    early,
  };
}

/** The most recent NYSE session that has closed at or before `now`. */
export function lastClosedSession(now: number): Session {
  let day = newYorkDate(now);
  for (let i = 0; i < 30; i++, day -= DAY_MS) {
    const s = nyseSession(day);
    if (s && s.close <= now) return s;
  }
  throw new Error(`no NYSE session in the 30 days before ${new Date(now).toISOString()}`);
}

// ---------------------------------------------------------------------------------------------------------
// Per asset class

/** Asset classes that trade on the NYSE calendar. */
export function usesNyseCalendar(assetClass: AssetClass): boolean {
  return assetClass === 'equity' || assetClass === 'etf' || assetClass === 'index';
}

/** FX is open from Sunday 17:00 to Friday 17:00 New York time. */
function isFxOpen(ts: number): boolean {
  const day = newYorkDate(ts);
  const wd = new Date(day).getUTCDay();
  if (wd === 6) return false;
  const fivePm = newYorkWallToUtc(day, 17 * 60);
  if (wd === 0) return ts >= fivePm;
  if (wd === 5) return ts < fivePm;
  return true;
}

/** Whether the market of `assetClass` is open at instant `ts`. */
export function isMarketOpen(assetClass: AssetClass, ts: number): boolean {
  switch (assetClass) {
    case 'crypto':
    case 'stablecoin':
      return true;
    case 'fx':
      return isFxOpen(ts);
    case 'equity':
    case 'etf':
    case 'index': {
      const s = nyseSession(newYorkDate(ts));
      return s !== null && ts >= s.open && ts < s.close;
    }
    case 'economic':
      return false;
  }
}

/**
 * The latest instant at or before `now` when the market of `assetClass` was open: `now` itself while
 * open, else the last close. Freshness measures data age from here so a weekend is not "stale".
 */
export function lastMarketTime(assetClass: AssetClass, now: number): number {
  if (assetClass === 'crypto' || assetClass === 'stablecoin' || assetClass === 'economic') return now;
  if (isMarketOpen(assetClass, now)) return now;
  if (usesNyseCalendar(assetClass)) return lastClosedSession(now).close;
  // FX closed: the weekend; the last close is the previous Friday 17:00 New York.
  let day = newYorkDate(now);
  while (new Date(day).getUTCDay() !== 5) day -= DAY_MS;
  return newYorkWallToUtc(day, 17 * 60);
}

/**
 * Open times of the bars the calendar expects in `[range.from, range.to)` (see the module comment for the
 * conventions). Sorted ascending.
 */
export function expectedBarTimes(assetClass: AssetClass, interval: Interval, range: TimeRange): number[] {
  const out: number[] = [];
  if (assetClass === 'economic' || range.to <= range.from) return out;
  const step = INTERVAL_MS[interval];
  if (interval === '1d') {
    let day = Math.ceil(range.from / DAY_MS) * DAY_MS;
    for (; day < range.to; day += DAY_MS) {
      const wd = new Date(day).getUTCDay();
      if (usesNyseCalendar(assetClass)) {
        if (isNyseTradingDay(day)) out.push(day);
      } else if (assetClass === 'fx') {
        if (wd !== 0 && wd !== 6) out.push(day);
      } else out.push(day);
    }
    return out;
  }
  if (usesNyseCalendar(assetClass)) {
    let day = newYorkDate(range.from) - DAY_MS;
    for (; day < range.to; day += DAY_MS) {
      const s = nyseSession(day);
      if (!s) continue;
      for (let t = s.open; t < s.close; t += step) if (t >= range.from && t < range.to) out.push(t);
    }
    return out;
  }
  for (let t = Math.ceil(range.from / step) * step; t < range.to; t += step) {
    if (assetClass !== 'fx' || isFxOpen(t)) out.push(t);
  }
  return out;
}
