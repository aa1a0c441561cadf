import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { documentSymbol } from '../../electron/contract/index.ts';
import { headingLines, textWidth } from '../../electron/core/reports/exports/text-width.ts';

/* The Word report's type: the font's measures, how a heading is broken, the document's symbol. */

describe('line lengths in Times New Roman', () => {
  it('come from the font itself: the committed widths are what Liberation Serif 2 gives', () => {
    // Fails when serif-metrics.json was edited by hand or the character set changed without regenerating it.
    expect(execFileSync(process.execPath, ['scripts/font-metrics.mjs', '--check'], { encoding: 'utf8' })).toMatch(/239 characters, 4 styles, 2048 units per em/);
  });

  it('measure the national heading as the review did: about 271 pt at 13 pt bold', () => {
    expect(textWidth('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 13, 'bold')).toBeCloseTo(271.2, 1);
    expect(textWidth('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 12, 'bold')).toBeCloseTo((271.2 * 12) / 13, 1);
    // A toned letter is as wide as its letter; bold capitals are wider than regular ones.
    expect(textWidth('Ệ', 12)).toBe(textWidth('E', 12));
    expect(textWidth('THÀNH PHỐ', 12, 'bold')).toBeGreaterThan(textWidth('THÀNH PHỐ', 12, 'regular'));
  });
});

describe('a heading broken into lines', () => {
  it('keeps a line whole when it fits, and parts a name only where it may', () => {
    expect(headingLines('TRUNG TÂM THỬ NGHIỆM', 12, 'bold', 180)).toEqual(['TRUNG TÂM THỬ NGHIỆM']);
    // Too narrow for one line: two even lines, never one syllable alone ("THỬ / NGHIỆM").
    expect(headingLines('TRUNG TÂM THỬ NGHIỆM', 12, 'bold', 120)).toEqual(['TRUNG TÂM', 'THỬ NGHIỆM']);
    expect(headingLines('SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH', 12, 'regular', 180)).toEqual(['SỞ Y TẾ', 'THÀNH PHỐ HỒ CHÍ MINH']);
    expect(headingLines('TRUNG TÂM CÔNG TÁC XÃ HỘI THÀNH PHỐ HỒ CHÍ MINH', 12, 'bold', 180)).toEqual(['TRUNG TÂM', 'CÔNG TÁC XÃ HỘI', 'THÀNH PHỐ HỒ CHÍ MINH']);
    expect(headingLines('TRUNG TÂM CÔNG TÁC XÃ HỘI ÁNH DƯƠNG', 12, 'bold', 240)).toEqual(['TRUNG TÂM CÔNG TÁC XÃ HỘI', 'ÁNH DƯƠNG']);
    // Every line it gives fits.
    for (const line of headingLines('ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN', 12, 'regular', 150)) expect(textWidth(line, 12), line).toBeLessThanOrEqual(150);
  });

  it('gives each word a line of its own when even one word is too wide, and never loses a word', () => {
    const lines = headingLines('TRUNG TÂM THỬ NGHIỆM', 12, 'bold', 20);
    expect(lines.join(' ')).toBe('TRUNG TÂM THỬ NGHIỆM');
    expect(lines.length).toBeGreaterThan(1);
  });
});

describe('the document symbol', () => {
  it('is the setting when there is one, else built from the centre\'s initials, never a fixed unit', () => {
    expect(documentSymbol('', 'Trung tâm Công tác xã hội Ánh Dương')).toBe('…/BC-TTCTXHAD');
    expect(documentSymbol('', 'Trung tâm Thử nghiệm')).toBe('…/BC-TTTN');
    expect(documentSymbol('  ', 'Điểm hỗ trợ Đồng Tâm')).toBe('…/BC-ĐHTĐT');
    expect(documentSymbol('12/BC-TTCTXH', 'Trung tâm Thử nghiệm')).toBe('12/BC-TTCTXH');
    expect(documentSymbol('', '')).toBe('…/BC');
  });
});
