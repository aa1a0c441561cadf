import type { Sex } from './vocabulary.ts';
import { foldForSearch } from './text.ts';

/*
 * The client's code, built from facts she can repeat at every visit (UIC-style), so she is
 * found again without anyone writing down her name: the first two letters of her mother's and
 * her father's given names, the last two digits of her birth year, and a digit for sex/gender.
 * Only the code is stored, never the parts. "Lan", "Hùng", 1998, nữ → "LAHU98-1".
 */

const SEX_DIGIT: Record<Sex, string> = { female: '1', male: '2', trans_female: '3', trans_male: '4', other: '5' };

export interface ClientCodeParts {
  /** Mother's given name (tên), or empty when unknown. */
  motherName: string;
  fatherName: string;
  birthYear: number;
  sex: Sex;
}

function initials(name: string): string {
  const letters = foldForSearch(name).replace(/[^a-z]/g, '').toUpperCase();
  return (letters + 'XX').slice(0, 2);
}

export function clientCode(parts: ClientCodeParts): string {
  return `${initials(parts.motherName)}${initials(parts.fatherName)}${String(parts.birthYear % 100).padStart(2, '0')}-${SEX_DIGIT[parts.sex]}`;
}

/** A code as typed in a search box: upper case, no spaces. */
export function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/\s+/g, '');
}
