/** Time as core sees it; tests move it forward instead of waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A calendar date `yyyy-MM-dd` in the PC's local time (what "today" means at the centre). */
export function localDate(when: Date): string {
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

export function today(clock: Clock): string {
  return localDate(new Date(clock.now()));
}

/** A calendar date moved by whole days or months (months clamp to the month's last day). */
export function addToDate(date: string, amount: { days?: number; months?: number }): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  if (amount.months) {
    const target = new Date(year, month - 1 + amount.months, 1);
    const lastDay = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    return localDate(new Date(target.getFullYear(), target.getMonth(), Math.min(day, lastDay)));
  }
  return localDate(new Date(year, month - 1, day + (amount.days ?? 0)));
}

/** A local calendar date (yyyy-MM-dd) as the UTC instant of its first moment. */
export function localDayStart(date: string, dayOffset = 0): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + dayOffset).toISOString();
}

/** Whole days from one calendar date to another (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
