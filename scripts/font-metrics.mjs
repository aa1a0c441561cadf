// Writes the advance widths of the serif font the Word report is set in, for the characters a
// Vietnamese report uses, to electron/core/reports/exports/serif-metrics.json.
//
// Source: Liberation Serif (Debian's fonts-liberation2), drawn to the same advance widths as
// Times New Roman, so a line measured with it is as long as Word sets it in Times New Roman.
// Run again only when the character set changes:  node scripts/font-metrics.mjs [font folder]
// With --check it writes nothing and fails when the file differs from what the font gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const check = process.argv.includes('--check');
const folder = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? '/usr/share/fonts/truetype/liberation2';
const FILES = { regular: 'LiberationSerif-Regular.ttf', bold: 'LiberationSerif-Bold.ttf', italic: 'LiberationSerif-Italic.ttf', boldItalic: 'LiberationSerif-BoldItalic.ttf' };

/** The characters: printable ASCII, a few typographic marks, and every Vietnamese letter with its tones. */
function characters() {
  const set = new Set();
  for (let code = 0x20; code <= 0x7e; code++) set.add(String.fromCharCode(code));
  for (const mark of '\u00a0–—…“”‘’•×') set.add(mark);
  const tones = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  for (const base of ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y']) {
    for (const letter of [base, base.toUpperCase()]) for (const tone of tones) set.add((letter + tone).normalize('NFC'));
  }
  set.add('đ');
  set.add('Đ');
  return [...set].sort();
}

/** Advance widths by code point, read from the font's cmap (format 4) and hmtx tables. */
function readFont(path) {
  const font = readFileSync(path);
  const tables = {};
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    tables[font.toString('latin1', at, at + 4)] = font.readUInt32BE(at + 8);
  }
  const unitsPerEm = font.readUInt16BE(tables.head + 18);
  const metrics = font.readUInt16BE(tables.hhea + 34);
  const advance = (glyph) => font.readUInt16BE(tables.hmtx + 4 * Math.min(glyph, metrics - 1));
  // The Windows Unicode BMP subtable, format 4: segments of code points mapped by delta or offset.
  const cmap = tables.cmap;
  let sub = -1;
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + i * 8;
    if (font.readUInt16BE(at) === 3 && font.readUInt16BE(at + 2) === 1) sub = cmap + font.readUInt32BE(at + 4);
  }
  if (sub < 0 || font.readUInt16BE(sub) !== 4) throw new Error(`${path}: no format 4 Unicode cmap`);
  const segments = font.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const offsets = deltas + segments * 2;
  const glyphOf = (code) => {
    for (let s = 0; s < segments; s++) {
      if (code > font.readUInt16BE(ends + s * 2)) continue;
      const start = font.readUInt16BE(starts + s * 2);
      if (code < start) return 0;
      const delta = font.readInt16BE(deltas + s * 2);
      const offset = font.readUInt16BE(offsets + s * 2);
      if (offset === 0) return (code + delta) & 0xffff;
      const glyph = font.readUInt16BE(offsets + s * 2 + offset + (code - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
  return { unitsPerEm, width: (char) => {
    const glyph = glyphOf(char.codePointAt(0));
    if (glyph === 0) throw new Error(`${path}: no glyph for U+${char.codePointAt(0).toString(16)}`);
    return advance(glyph);
  } };
}

const chars = characters();
const out = { source: 'Liberation Serif 2 (metric-compatible with Times New Roman)', characters: chars.join(''), unitsPerEm: 0, widths: {} };
for (const [style, file] of Object.entries(FILES)) {
  const font = readFont(join(folder, file));
  out.unitsPerEm = font.unitsPerEm;
  out.widths[style] = chars.map((char) => font.width(char));
}
const target = new URL('../electron/core/reports/exports/serif-metrics.json', import.meta.url);
if (check) {
  if (readFileSync(target, 'utf8') !== `${JSON.stringify(out)}\n`) {
    console.error('serif-metrics.json differs from the font');
    process.exit(1);
  }
} else writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(`${chars.length} characters, ${Object.keys(FILES).length} styles, ${out.unitsPerEm} units per em`);
