import metrics from './serif-metrics.json';

/*
 * How long a line of text is when Word sets it in Times New Roman, from the advance widths of
 * a metric-compatible font (serif-metrics.json, written by scripts/font-metrics.mjs). Used to
 * lay out the Word report's heading so that no line wraps where it should not, and by its test
 * to check the file as written.
 */

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';

const tables = new Map<FontStyle, Map<string, number>>(
  (Object.keys(metrics.widths) as FontStyle[]).map((style) => [style, new Map([...metrics.characters].map((char, index) => [char, metrics.widths[style][index] ?? 0]))]),
);

/** A character's advance in font units: its own, or its letter's without marks, or an "n". */
function advance(widths: Map<string, number>, char: string): number {
  return widths.get(char) ?? widths.get(char.normalize('NFD').replace(/\p{M}/gu, '')) ?? widths.get('n') ?? metrics.unitsPerEm / 2;
}

/** The width of `text` at `sizePt` points, in points (Word sets text without kerning by default). */
export function textWidth(text: string, sizePt: number, style: FontStyle = 'regular'): number {
  const widths = tables.get(style);
  if (!widths) throw new Error(`no metrics for ${style}`);
  let units = 0;
  for (const char of text.normalize('NFC')) units += advance(widths, char);
  return (units * sizePt) / metrics.unitsPerEm;
}

/** The characters of `text` the metrics do not hold (measured by approximation). */
export function unmeasured(text: string): string[] {
  const widths = tables.get('regular') as Map<string, number>;
  return [...new Set([...text.normalize('NFC')].filter((char) => !widths.has(char)))];
}

export const style = (bold = false, italics = false): FontStyle => (bold ? (italics ? 'boldItalic' : 'bold') : italics ? 'italic' : 'regular');

/**
 * A heading's words set on as few lines as fit `widthPt`, the lines as even as possible. Words
 * that belong together are never parted: the place from "THÀNH PHỐ" or "TỈNH" to the end,
 * the fixed phrases of an agency's name, and the last two words (a name at the end of a line
 * is not left with one syllable: "TRUNG TÂM / THỬ NGHIỆM", never "TRUNG TÂM THỬ / NGHIỆM").
 */
export function headingLines(text: string, sizePt: number, fontStyle: FontStyle, widthPt: number): string[] {
  const units = headingUnits(text.trim().split(/\s+/u).filter(Boolean));
  const width = (from: number, to: number) => textWidth(units.slice(from, to).join(' '), sizePt, fontStyle);
  let best: number[] | null = null;
  let bestWidest = Infinity;
  // The fewest lines first; at that count, the partition whose widest line is narrowest.
  for (let lines = 1; lines <= units.length && !best; lines++) {
    for (const cuts of partitions(units.length, lines)) {
      const bounds = [0, ...cuts, units.length];
      let widest = 0;
      for (let i = 0; i + 1 < bounds.length; i++) widest = Math.max(widest, width(bounds[i] ?? 0, bounds[i + 1] ?? 0));
      if (widest <= widthPt && widest < bestWidest) {
        best = bounds;
        bestWidest = widest;
      }
    }
  }
  // Nothing fits (one unit wider than the column): one unit per line, and Word wraps the rest.
  const bounds = best ?? units.map((_, index) => index).concat(units.length);
  return bounds.slice(0, -1).map((from, i) => units.slice(from, bounds[i + 1]).join(' '));
}

const PHRASES = ['TRUNG TÂM', 'CÔNG TÁC XÃ HỘI', 'BẢO TRỢ XÃ HỘI', 'XÃ HỘI', 'Y TẾ', 'LAO ĐỘNG', 'THƯƠNG BINH', 'ỦY BAN NHÂN DÂN', 'NỘI VỤ', 'SỞ Y TẾ'];
const PLACES = ['THÀNH PHỐ', 'TỈNH', 'ĐẶC KHU', 'PHƯỜNG'];
const startsWith = (words: string[], at: number, phrase: string) => phrase.split(' ').every((part, offset) => words[at + offset]?.toLocaleUpperCase('vi') === part);

function headingUnits(words: string[]): string[] {
  const units: string[] = [];
  let i = 0;
  while (i < words.length) {
    const rest = words.length - i;
    // The place, from its kind to the end ("THÀNH PHỐ HỒ CHÍ MINH").
    if (rest >= 2 && PLACES.some((place) => startsWith(words, i, place))) {
      units.push(words.slice(i).join(' '));
      break;
    }
    const phrase = PHRASES.find((each) => startsWith(words, i, each));
    // The last two words stay together.
    const take = phrase ? phrase.split(' ').length : rest === 2 ? 2 : 1;
    units.push(words.slice(i, i + take).join(' '));
    i += take;
  }
  return units;
}

/** Every way to cut `count` units into `lines` non-empty lines: the cut positions. */
function* partitions(count: number, lines: number, from = 1): Generator<number[]> {
  if (lines === 1) {
    yield [];
    return;
  }
  for (let cut = from; cut <= count - lines + 1; cut++) for (const rest of partitions(count, lines - 1, cut + 1)) yield [cut, ...rest];
}
