/** Dates as Vietnamese offices write them: dd/MM/yyyy, in the PC's local time. */
const pad = (value: number) => String(value).padStart(2, '0');

export function formatDate(iso: string | Date): string {
  // A calendar date (yyyy-MM-dd) is shown as it is, never shifted by a time zone.
  if (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    const [year, month, day] = iso.split('-');
    return `${day}/${month}/${year}`;
  }
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${pad(date.getDate())}/${pad(date.getMonth() + 1)}/${date.getFullYear()}`;
}

/** Today as a calendar date (yyyy-MM-dd) on this PC. */
export function todayIso(): string {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function formatDateTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${formatDate(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Words for today and yesterday, as typed in either language (folded: no tones, lower case). */
const TODAY_WORDS = new Set(['hn', 'hom nay', 'today']);
const YESTERDAY_WORDS = new Set(['hq', 'hom qua', 'yesterday']);
const fold = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase().replace(/\s+/g, ' ').trim();

function shifted(iso: string, days: number): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(year, month - 1, day + days);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A date typed by a person → ISO yyyy-MM-dd, or null when it is not a real date: dd/MM/yyyy as
 * offices write it (also with . or -), d/M for a day of this year, d/M/yy for 20yy; and the
 * shortcuts "hn" (hôm nay, today), "hq" (hôm qua, yesterday), "+3" or "-3" days from today.
 */
export function parseDisplayDate(text: string, today: string = todayIso()): string | null {
  const folded = fold(text);
  if (TODAY_WORDS.has(folded)) return today;
  if (YESTERDAY_WORDS.has(folded)) return shifted(today, -1);
  const offset = /^([+-])(\d{1,3})$/.exec(folded);
  if (offset) return shifted(today, (offset[1] === '-' ? -1 : 1) * Number(offset[2]));
  const match = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(folded);
  if (!match) return null;
  const typedYear = match[3];
  const year = typedYear === undefined ? Number(today.slice(0, 4)) : typedYear.length === 2 ? 2000 + Number(typedYear) : Number(typedYear);
  const [day, month] = [Number(match[1]), Number(match[2])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}
