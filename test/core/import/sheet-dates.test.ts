import { describe, expect, it } from 'vitest';
import { dateOrderOf, fromExcelSerial, parseSheetDate } from '../../../electron/core/import/sheet-dates.ts';

const TODAY = '2026-11-28';
const date = (value: Parameters<typeof parseSheetDate>[0], order?: 'dmy' | 'mdy') => parseSheetDate(value, TODAY, order);

describe('dates as a centre\'s sheets hold them', () => {
  it('reads day first, with a two- or four-digit year, and ISO dates', () => {
    expect(date('05/03/1998')).toEqual({ ok: true, date: '1998-03-05' });
    expect(date('5/3/98')).toEqual({ ok: true, date: '1998-03-05' });
    expect(date('5-3-2005')).toEqual({ ok: true, date: '2005-03-05' });
    expect(date('05.03.05')).toEqual({ ok: true, date: '2005-03-05' });
    expect(date(' 31/12/2024 ')).toEqual({ ok: true, date: '2024-12-31' });
    expect(date('2024-02-29')).toEqual({ ok: true, date: '2024-02-29' });
    // A two-digit year is never later than this one.
    expect(date('1/1/26')).toEqual({ ok: true, date: '2026-01-01' });
    expect(date('1/1/27')).toEqual({ ok: true, date: '1927-01-01' });
  });

  it('reads Excel\'s own dates: a serial number of days, or a date cell', () => {
    expect(fromExcelSerial(45658)).toEqual({ ok: true, date: '2025-01-01' });
    expect(date(33239)).toEqual({ ok: true, date: '1991-01-01' });
    expect(date(45658.75)).toEqual({ ok: true, date: '2025-01-01' });
    expect(date(1)).toEqual({ ok: true, date: '1900-01-01' });
    expect(date(59)).toEqual({ ok: true, date: '1900-02-28' });
    expect(date(61)).toEqual({ ok: true, date: '1900-03-01' });
    // The 29 February 1900 Excel counts, which never was.
    expect(date(60)).toEqual({ ok: false, problem: 'DATE_INVALID' });
    expect(date(new Date(Date.UTC(1990, 4, 17)))).toEqual({ ok: true, date: '1990-05-17' });
    // Written out as text by a CSV saved from a column formatted "General"; fewer digits are no day number.
    expect(date(' 45658 ')).toEqual({ ok: true, date: '2025-01-01' });
    expect(date('4565')).toEqual({ ok: false, problem: 'DATE_FORMAT' });
  });

  it('says what is wrong: not a date, or a day the calendar has not; an empty cell is no date', () => {
    for (const text of ['năm 1990', '1990', '12/2020', '1/2/3/4', 'abc', '32/01/2020x']) expect(date(text), text).toEqual({ ok: false, problem: 'DATE_FORMAT' });
    for (const text of ['31/02/2020', '29/02/2023', '00/01/2020', '12/13/2020', '2023-02-29']) expect(date(text), text).toEqual({ ok: false, problem: 'DATE_INVALID' });
    expect(date(0)).toEqual({ ok: false, problem: 'DATE_FORMAT' });
    expect(date(new Date(Number.NaN))).toEqual({ ok: false, problem: 'DATE_FORMAT' });
    expect(date('')).toBeNull();
    expect(date('  ')).toBeNull();
    expect(date(null)).toBeNull();
  });

  it('tells a column written month first by the days it holds', () => {
    expect(dateOrderOf(['05/03/1998', '12/31/2024'])).toBe('mdy');
    expect(dateOrderOf(['05/03/1998', '31/12/2024', '12/31/2024'])).toBe('dmy');
    expect(dateOrderOf(['05/03/1998', '04/02/2001', 33239, null])).toBe('dmy');
    expect(date('12/31/2024', 'mdy')).toEqual({ ok: true, date: '2024-12-31' });
  });
});
