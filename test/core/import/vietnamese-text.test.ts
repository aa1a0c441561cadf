import { describe, expect, it } from 'vitest';
import { detectEncoding, fromTcvn3, fromVni, fromWindows1258, isVietnameseSyllable, toUnicode } from '../../../electron/core/import/vietnamese-text.ts';

/*
 * Old sheets' text: TCVN3 and VNI as Excel shows them (Western letters), Windows-1258 read as
 * Windows-1252, each made Unicode; and which one a column was typed in, told from the words.
 * The pairs are the well-known ones every converter shows (place names, the language's name).
 */

describe('text typed in the old fonts', () => {
  it('reads TCVN3 (ABC) as Excel shows it', () => {
    expect(fromTcvn3('TiÕng ViÖt')).toBe('Tiếng Việt');
    expect(fromTcvn3('Thµnh phè Hå ChÝ Minh')).toBe('Thành phố Hồ Chí Minh');
    expect(fromTcvn3('Hµ Néi')).toBe('Hà Nội');
    // ư is the soft hyphen's code (U+00AD), which Excel shows as nothing.
    expect(fromTcvn3('B¶o Th¾ng, M\u00adêng Kh\u00ad¬ng')).toBe('Bảo Thắng, Mường Khương');
    // Ă Â Ê Ô Ơ Ư Đ have codes of their own; the others are typed with the upper-case fonts.
    expect(fromTcvn3('§inh ¢u ¥n ¦u')).toBe('Đinh Âu Ơn Ưu');
    // Digits, punctuation, line ends stay.
    expect(fromTcvn3('Sè 12/3, tæ 4\nph\u00adêng 7')).toBe('Số 12/3, tổ 4\nphường 7');
  });

  it('reads VNI as Excel shows it', () => {
    expect(fromVni('Tieáng Vieät')).toBe('Tiếng Việt');
    expect(fromVni('Xin chaøo caùc baïn')).toBe('Xin chào các bạn');
    expect(fromVni('Thaønh phoá Hoà Chí Minh')).toBe('Thành phố Hồ Chí Minh');
    expect(fromVni('Nguyeãn Thò Ñaëng Möôøi')).toBe('Nguyễn Thị Đặng Mười');
    expect(fromVni('NGUYEÃN THÒ HÖÔNG')).toBe('NGUYỄN THỊ HƯƠNG');
    expect(fromVni('Quaän 3, phöôøng 7')).toBe('Quận 3, phường 7');
  });

  it('reads Windows-1258 that was read as Windows-1252', () => {
    expect(fromWindows1258('Viêòt Nam')).toBe('Việt Nam');
    expect(toUnicode('Viêòt Nam', 'windows-1258')).toBe('Việt Nam');
  });

  it('leaves Unicode as it is, composed (NFC)', () => {
    const decomposed = 'Nguyễn Thị Hương'.normalize('NFD');
    expect(toUnicode(decomposed, 'unicode')).toBe('Nguyễn Thị Hương');
    expect(toUnicode(decomposed, 'unicode')).toHaveLength('Nguyễn Thị Hương'.length);
  });
});

describe('which font a column was typed in', () => {
  it('tells a Vietnamese syllable from a word typed in another font', () => {
    for (const word of ['Nguyễn', 'thị', 'hương', 'khuya', 'nghiêng', 'Đặng', 'quyển', 'giữa', 'ường', 'oanh', 'người', 'Quận', 'muốn', 'hoàng', 'xoong']) expect(isVietnameseSyllable(word), word).toBe(true);
    for (const word of ['NguyÔn', 'Nguyeãn', 'Thµnh', 'chaøo', 'Viêòt', 'ấá', 'Quaọn', 'maing']) expect(isVietnameseSyllable(word), word).toBe(false);
  });

  it('finds each column\'s encoding from its words, Unicode when none reads better', () => {
    expect(detectEncoding(['Nguyễn Thị Hương', 'Trần Văn Bình', '12'])).toBe('unicode');
    expect(detectEncoding(['NguyÔn ThÞ H\u00ad¬ng', 'TrÇn V¨n B×nh'])).toBe('tcvn3');
    expect(detectEncoding(['Nguyeãn Thò Höông', 'Traàn Vaên Bình'])).toBe('vni');
    expect(detectEncoding(['Viêòt Nam', 'Hoa'], ['unicode', 'tcvn3', 'vni', 'windows-1258'])).toBe('windows-1258');
    // Plain letters only, or nothing at all: nothing to convert.
    expect(detectEncoding(['Hoa', 'Lan', ''])).toBe('unicode');
    expect(detectEncoding([])).toBe('unicode');
    // A letter no old font gives (ư, ế): Unicode, whatever else is there.
    expect(detectEncoding(['Hà', 'Hưng'])).toBe('unicode');
    // Unicode words that are also Western letters ("Hà", "Tú") are not read as TCVN3.
    expect(detectEncoding(['Hà', 'Tú', 'Lê'])).toBe('unicode');
  });
});
