/*
 * Dates as a centre's sheets hold them: day first (dd/mm/yyyy, d/m/yy, with / - or .), an ISO
 * date, Excel's own date (a serial number of days, or a date cell read as a Date), and read
 * into the app's ISO date (yyyy-mm-dd). A sheet that wrote the month first (an American
 * program's export) is told by its column (`dateOrderOf`): no day-first reading of the column
 * would hold.
 */

export type DateOrder = 'dmy' | 'mdy';

/** Why a cell is not a date: not written as one, or a day the calendar has not (31/02). */
export type DateProblem = 'DATE_FORMAT' | 'DATE_INVALID';

export type SheetDate = { ok: true; date: string } | { ok: false; problem: DateProblem };

const PARTS = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})\s*$/;
const ISO = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?\s*$/;
/** Excel's first and last dates (1 January 1900, 31 December 9999) as serial numbers. */
const SERIAL_MIN = 1;
const SERIAL_MAX = 2_958_465;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function calendarDate(year: number, month: number, day: number): SheetDate {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || day < 1 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { ok: false, problem: 'DATE_INVALID' };
  return { ok: true, date: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

/**
 * A two-digit year, in the century that puts it no later than this year ("98" is 1998, "05" is
 * 2005 when read in 2026).
 */
function fullYear(twoDigits: number, today: string): number {
  const thisYear = Number(today.slice(0, 4));
  const century = Math.floor(thisYear / 100) * 100;
  return century + twoDigits > thisYear ? century - 100 + twoDigits : century + twoDigits;
}

/**
 * Excel's serial number of a day (the 1900 date system; Excel counts a 29 February 1900 that
 * never was, so day 60 is refused and later days are counted from 30 December 1899).
 */
export function fromExcelSerial(serial: number): SheetDate {
  const day = Math.floor(serial);
  if (!Number.isFinite(serial) || day < SERIAL_MIN || day > SERIAL_MAX) return { ok: false, problem: 'DATE_FORMAT' };
  if (day === 60) return { ok: false, problem: 'DATE_INVALID' };
  const date = new Date(Date.UTC(1899, 11, day < 60 ? 31 + day : 30 + day));
  return calendarDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/**
 * One cell as a date. `value` is what the sheet reader gives: text, a number (a date cell of a
 * workbook, as Excel counts days) or a Date (a date cell, at midnight UTC of its day).
 */
export function parseSheetDate(value: string | number | Date | null, today: string, order: DateOrder = 'dmy'): SheetDate | null {
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, problem: 'DATE_FORMAT' };
    return calendarDate(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
  }
  if (typeof value === 'number') return fromExcelSerial(value);
  if (value.trim() === '') return null;
  // Excel's day number written out as text (a CSV saved from a column formatted "General").
  if (/^\s*\d{5}\s*$/.test(value)) return fromExcelSerial(Number(value));
  const iso = ISO.exec(value);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const parts = PARTS.exec(value);
  if (!parts) return { ok: false, problem: 'DATE_FORMAT' };
  const [first, second] = [Number(parts[1]), Number(parts[2])];
  const year = parts[3]!.length === 2 ? fullYear(Number(parts[3]), today) : Number(parts[3]);
  return order === 'dmy' ? calendarDate(year, second, first) : calendarDate(year, first, second);
}

/**
 * Whether a column of written dates puts the month first: only when some cell's second number
 * cannot be a month (over 12) and none's first can only be a day. Day first otherwise, as
 * Vietnamese sheets write them.
 */
export function dateOrderOf(values: readonly unknown[]): DateOrder {
  let monthFirst = false;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const parts = PARTS.exec(value);
    if (!parts) continue;
    if (Number(parts[1]) > 12) return 'dmy';
    if (Number(parts[2]) > 12) monthFirst = true;
  }
  return monthFirst ? 'mdy' : 'dmy';
}
