/*
 * Text from a centre's old sheets, made Unicode (NFC). Before Unicode, Vietnamese was typed in
 * fonts that drew their own letters over ordinary code points:
 * - TCVN3 ("ABC", fonts .VnTime…): each letter one byte (TCVN 5712:1993); Excel shows it as
 *   Western letters ("NguyÔn Thµnh" for "Nguyễn Thành").
 * - VNI (fonts VNI-Times…): a base letter followed by one or two marks ("Nguyeãn Thaønh").
 * - Windows-1258 (a CSV saved by an old program): letters and separate tone marks.
 * Which one a column was typed in is found by trying each and counting the words that read as
 * Vietnamese syllables (`detectEncoding`); a text already in Unicode stays as it is.
 */

export type TextEncoding = 'unicode' | 'tcvn3' | 'vni' | 'windows-1258';

/** Windows-1252's characters for bytes 0x80–0x9F (what a Western font's letter was typed as), by character. */
const CP1252_BYTES: ReadonlyMap<string, number> = (() => {
  const decoder = new TextDecoder('windows-1252');
  const bytes = new Map<string, number>();
  for (let byte = 0x80; byte <= 0x9f; byte++) bytes.set(decoder.decode(Uint8Array.of(byte)), byte);
  return bytes;
})();

/** The byte a character of a Western font stands for (null: none, a character beyond them). */
function byteOf(char: string): number | null {
  const code = char.charCodeAt(0);
  if (code <= 0xff) return code;
  return CP1252_BYTES.get(char) ?? null;
}

/**
 * TCVN 5712:1993 (VN1, of which TCVN3's lower-case letters and Ă Â Ê Ô Ơ Ư Đ are part): the
 * letter each byte 0x80–0xFF stands for; 0 where the byte is itself. Upper-case letters below 0x20 in `TCVN_LOW`.
 */
// prettier-ignore
const TCVN_HIGH = [
  0x00c0, 0x1ea2, 0x00c3, 0x00c1, 0x1ea0, 0x1eb6, 0x1eac, 0x00c8, 0x1eba, 0x1ebc, 0x00c9, 0x1eb8, 0x1ec6, 0x00cc, 0x1ec8, 0x0128,
  0x00cd, 0x1eca, 0x00d2, 0x1ece, 0x00d5, 0x00d3, 0x1ecc, 0x1ed8, 0x1edc, 0x1ede, 0x1ee0, 0x1eda, 0x1ee2, 0x00d9, 0x1ee6, 0x0168,
  0, 0x0102, 0x00c2, 0x00ca, 0x00d4, 0x01a0, 0x01af, 0x0110, 0x0103, 0x00e2, 0x00ea, 0x00f4, 0x01a1, 0x01b0, 0x0111, 0x1eb0,
  0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00e0, 0x1ea3, 0x00e3, 0x00e1, 0x1ea1, 0x1eb2, 0x1eb1, 0x1eb3, 0x1eb5, 0x1eaf, 0x1eb4,
  0x1eae, 0x1ea6, 0x1ea8, 0x1eaa, 0x1ea4, 0x1ec0, 0x1eb7, 0x1ea7, 0x1ea9, 0x1eab, 0x1ea5, 0x1ead, 0x00e8, 0x1ec2, 0x1ebb, 0x1ebd,
  0x00e9, 0x1eb9, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ebf, 0x1ec7, 0x00ec, 0x1ec9, 0x1ec4, 0x1ebe, 0x1ed2, 0x0129, 0x00ed, 0x1ecb, 0x00f2,
  0x1ed4, 0x1ecf, 0x00f5, 0x00f3, 0x1ecd, 0x1ed3, 0x1ed5, 0x1ed7, 0x1ed1, 0x1ed9, 0x1edd, 0x1edf, 0x1ee1, 0x1edb, 0x1ee3, 0x00f9,
  0x1ed6, 0x1ee7, 0x0169, 0x00fa, 0x1ee5, 0x1eeb, 0x1eed, 0x1eef, 0x1ee9, 0x1ef1, 0x1ef3, 0x1ef7, 0x1ef9, 0x00fd, 0x1ef5, 0x1ed0,
];
const TCVN_LOW: Readonly<Record<number, number>> = { 0x01: 0x00da, 0x02: 0x1ee4, 0x04: 0x1eea, 0x05: 0x1eec, 0x06: 0x1eee, 0x11: 0x1ee8, 0x12: 0x1ef0, 0x13: 0x1ef2, 0x14: 0x1ef6, 0x15: 0x1ef8, 0x16: 0x00dd, 0x17: 0x1ef4 };

/** Text typed in a TCVN3 font, as Excel or a Western code page shows it, in Unicode (NFC). */
export function fromTcvn3(text: string): string {
  let out = '';
  for (const char of text) {
    const byte = byteOf(char);
    const letter = byte === null ? 0 : byte >= 0x80 ? TCVN_HIGH[byte - 0x80]! : (TCVN_LOW[byte] ?? 0);
    out += letter ? String.fromCharCode(letter) : char;
  }
  return out.normalize('NFC');
}

/**
 * VNI's letters: a vowel and its marks, as a Western font shows them, and the Vietnamese letter.
 * Tones after a plain vowel: ø ù û õ ï (grave, acute, hook, tilde, dot); after â (circumflex)
 * and ê (breve), which follow the vowel, the tones are à á å ã ä and è é ú ü ë.
 */
const VNI_LETTERS: ReadonlyMap<string, string> = (() => {
  const letters = new Map<string, string>();
  const TONES = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  const add = (vni: string, unicode: string) => {
    letters.set(vni, unicode.normalize('NFC'));
    letters.set(vni.toUpperCase(), unicode.toUpperCase().normalize('NFC'));
  };
  const toned = (base: string, marks: string, letter: string) => {
    for (const [i, mark] of [...marks].entries()) add(`${base}${mark}`, `${letter}${TONES[i]}`);
  };
  for (const vowel of ['a', 'e', 'o', 'u', 'y']) toned(vowel, 'øùûõï', vowel);
  for (const vowel of ['a', 'e', 'o']) {
    add(`${vowel}â`, `${vowel}\u0302`);
    toned(vowel, 'àáåãä', `${vowel}\u0302`);
  }
  add('aê', 'ă');
  toned('a', 'èéúüë', 'ă');
  // ơ and ư are one character each, then a tone as after a plain vowel; i's and ỵ's letters stand alone.
  add('ô', 'ơ');
  toned('ô', 'øùûõï', 'ơ');
  add('ö', 'ư');
  toned('ö', 'øùûõï', 'ư');
  for (const [vni, letter] of [['ì', 'ì'], ['í', 'í'], ['æ', 'ỉ'], ['ó', 'ĩ'], ['ò', 'ị'], ['î', 'ỵ'], ['ñ', 'đ']] as const) add(vni, letter);
  return letters;
})();

/** Text typed in a VNI font, as Excel or a Western code page shows it, in Unicode (NFC). */
export function fromVni(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const two = VNI_LETTERS.get(text.slice(i, i + 2));
    if (two !== undefined) {
      out += two;
      i += 2;
      continue;
    }
    out += VNI_LETTERS.get(text[i]!) ?? text[i];
    i += 1;
  }
  return out.normalize('NFC');
}

/** Text in Windows-1258 (letters and separate tones) that was read as Windows-1252, in Unicode (NFC). */
export function fromWindows1258(text: string): string {
  const bytes: number[] = [];
  for (const char of text) {
    const byte = byteOf(char);
    if (byte === null) return text;
    bytes.push(byte);
  }
  return new TextDecoder('windows-1258').decode(Uint8Array.from(bytes)).normalize('NFC');
}

const CONVERT: Readonly<Record<TextEncoding, (text: string) => string>> = {
  unicode: (text) => text.normalize('NFC'),
  tcvn3: fromTcvn3,
  vni: fromVni,
  'windows-1258': fromWindows1258,
};

/** A text as typed in `encoding`, in Unicode (NFC). */
export function toUnicode(text: string, encoding: TextEncoding): string {
  return CONVERT[encoding](text);
}

/*
 * A Vietnamese syllable, its tone taken off: an initial, a vowel (with the glides written with
 * it), a final. Enough to tell a word that reads from one that was typed in another font.
 */
const INITIAL = '(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?';
/** Vowels that end in a glide (mai, sao, kia, mua, người): no final consonant after them. */
const CLOSED = '(?:iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyu|ươi|ươu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu)';
/** Vowels a final consonant may follow (tiên, muốn, người's ươ, hoàng, quyển). */
const OPEN = '(?:uyê|iê|yê|uô|ươ|oa|oă|oe|oo|uâ|uê|uy|uơ|[aăâeêioôơuưy])';
const FINAL = '(?:ch|ng|nh|[cmnpt])';
const SYLLABLE = new RegExp(`^${INITIAL}(?:${CLOSED}|${OPEN}${FINAL}?)$`);
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** Whether a word reads as one Vietnamese syllable (one tone at most). */
export function isVietnameseSyllable(word: string): boolean {
  const decomposed = word.toLowerCase().normalize('NFD');
  if ((decomposed.match(TONE_MARKS)?.length ?? 0) > 1) return false;
  return SYLLABLE.test(decomposed.replace(TONE_MARKS, '').normalize('NFC'));
}

/** Words of a text with a letter beyond ASCII (those that tell one font from another), as the text has them. */
const MARKED_WORDS = /[^\s\d.,;:!?'"()/\\\-–—]*[\u0080-\uffff][^\s\d.,;:!?'"()/\\\-–—]*/g;

/** How well a text reads as Vietnamese: syllables read, less words that do not. */
function readability(text: string): number {
  let score = 0;
  for (const word of text.match(MARKED_WORDS) ?? []) score += isVietnameseSyllable(word) ? 1 : -1;
  return score;
}

/**
 * The encoding the texts of one column were typed in: each is tried, and the one under which
 * most words read as Vietnamese wins; Unicode when none reads better (a text with a letter no
 * old font could give, such as ư or ế, is Unicode). `candidates` limits the ones tried (a CSV
 * that was not UTF-8 adds Windows-1258). `prefer` wins a tie (the font the sheet's other columns
 * were typed in: "Maõ hoà sô" reads as well in Unicode, with old-style tone marks, as in VNI).
 */
export function detectEncoding(texts: readonly string[], candidates: readonly TextEncoding[] = ['unicode', 'tcvn3', 'vni'], prefer?: TextEncoding): TextEncoding {
  const sample = texts.filter((text) => /[\u0080-\uffff]/.test(text)).join('\n');
  if (!sample) return 'unicode';
  // Beyond what a Western font's letters can be: typed in Unicode.
  if ([...sample].some((char) => byteOf(char) === null)) return 'unicode';
  let best: TextEncoding = 'unicode';
  let bestScore = readability(sample.normalize('NFC'));
  for (const encoding of candidates) {
    if (encoding === 'unicode') continue;
    const score = readability(toUnicode(sample, encoding));
    if (score > bestScore || (score === bestScore && score > 0 && encoding === prefer)) {
      best = encoding;
      bestScore = score;
    }
  }
  return best;
}
