import { describe, expect, it } from 'vitest';
import { readWard } from '../../../electron/core/import/old-wards.ts';

/* Wards as old sheets wrote them, read with the official conversion table of 2025. */

describe('a ward from before July 2025', () => {
  it('reads an old ward and its district as the ward that took it, however the sheet wrote them', () => {
    const anDong = { kind: 'converted', ward: { code: 27316, name: 'Phường An Đông' }, from: { code: expect.any(Number), name: 'Phường 7', district: 'Quận 5' } };
    expect(readWard('Phường 7', 'Quận 5')).toEqual(anDong);
    expect(readWard('P.7', 'Q.5')).toEqual(anDong);
    expect(readWard('p7', 'q5')).toEqual(anDong);
    expect(readWard('phuong 07', 'QUẬN 5')).toEqual(anDong);
    expect(readWard('Phường Phạm Ngũ Lão', 'Quận 1')).toMatchObject({ kind: 'converted', ward: { code: 26743, name: 'Phường Bến Thành' } });
  });

  it('asks when a ward went to several new ones, or the name was several districts\'', () => {
    // Phường 7 of Quận 8 went partly to Phường Bình Đông, partly to Xã Bình Hưng.
    expect(readWard('Phường 7', 'Quận 8')).toEqual({
      kind: 'choose',
      candidates: [
        { code: 27424, name: 'Phường Bình Đông' },
        { code: 27619, name: 'Xã Bình Hưng' },
      ],
      from: [{ code: expect.any(Number), name: 'Phường 7', district: 'Quận 8' }],
    });
    const anywhere = readWard('Phường 7');
    expect(anywhere.kind).toBe('choose');
    expect(anywhere.kind === 'choose' && anywhere.candidates.length).toBe(9);
    expect(anywhere.kind === 'choose' && anywhere.from.map((ward) => ward.district)).toContain('Quận Tân Bình');
  });

  it('reads codes: a ward of 2025 as itself, an old one as what took it, a split one with a choice', () => {
    expect(readWard(26743)).toEqual({ kind: 'ward', ward: { code: 26743, name: 'Phường Bến Thành' } });
    expect(readWard('26749')).toMatchObject({ kind: 'converted', ward: { code: 26743 }, from: { code: 26749, name: 'Phường Phạm Ngũ Lão' } });
    expect(readWard(25741)).toMatchObject({ kind: 'choose', candidates: [{ code: 25747 }, { code: 25750 }] });
  });

  it('reads a 2025 ward by its name, a district made one unit whole, and says when it knows none', () => {
    expect(readWard('Phường Bến Thành')).toEqual({ kind: 'ward', ward: { code: 26743, name: 'Phường Bến Thành' } });
    expect(readWard('bến thành')).toEqual({ kind: 'ward', ward: { code: 26743, name: 'Phường Bến Thành' } });
    expect(readWard('Thị trấn Côn Đảo', 'Huyện Côn Đảo')).toMatchObject({ kind: 'converted', ward: { code: 26732, name: 'Đặc khu Côn Đảo' } });
    expect(readWard('', 'Huyện Côn Đảo')).toMatchObject({ kind: 'converted', ward: { code: 26732 } });
    expect(readWard('Phường Không Có Thật')).toEqual({ kind: 'unknown' });
    expect(readWard('Phường 7', 'Quận Không Có')).toEqual({ kind: 'unknown' });
    expect(readWard(99999)).toEqual({ kind: 'unknown' });
    expect(readWard(null)).toEqual({ kind: 'unknown' });
    expect(readWard('  ')).toEqual({ kind: 'unknown' });
  });
});
