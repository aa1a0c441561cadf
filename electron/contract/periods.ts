/*
 * Reporting periods as the centre names them: a quarter, a half-year, a year, or months from
 * one to another. Calendar dates `yyyy-MM-dd`, both ends included.
 */

export interface Period {
  from: string;
  to: string;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The last day of a month (month 1–12; 13 rolls into the next year). */
function monthEnd(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0));
  return `${last.getUTCFullYear()}-${pad(last.getUTCMonth() + 1)}-${pad(last.getUTCDate())}`;
}

/** Months `first` to `last` counted from January of `year` (0 = January; may run outside the year). */
export function monthsPeriod(year: number, first: number, last: number): Period {
  const start = new Date(Date.UTC(year, first, 1));
  const end = new Date(Date.UTC(year, last, 1));
  return { from: `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}-01`, to: monthEnd(end.getUTCFullYear(), end.getUTCMonth() + 1) };
}

export function quarterOf(year: number, quarter: 1 | 2 | 3 | 4): Period {
  return monthsPeriod(year, (quarter - 1) * 3, (quarter - 1) * 3 + 2);
}

export function halfYearOf(year: number, half: 1 | 2): Period {
  return monthsPeriod(year, (half - 1) * 6, (half - 1) * 6 + 5);
}

export function yearOf(year: number): Period {
  return monthsPeriod(year, 0, 11);
}

export const PERIOD_PRESETS = ['thisQuarter', 'lastQuarter', 'thisYear', 'lastYear', 'last12Months'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** A named period as of a day. */
export function presetPeriod(preset: PeriodPreset, today: string): Period {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  const quarterStart = Math.floor(month / 3) * 3;
  switch (preset) {
    case 'thisQuarter':
      return monthsPeriod(year, quarterStart, quarterStart + 2);
    case 'lastQuarter':
      return monthsPeriod(year, quarterStart - 3, quarterStart - 1);
    case 'thisYear':
      return yearOf(year);
    case 'lastYear':
      return yearOf(year - 1);
    case 'last12Months':
      return monthsPeriod(year, month - 11, month);
  }
}
