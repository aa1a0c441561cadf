import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INDICATORS } from '../../electron/contract/indicators.ts';
import { feasibleRanges, type Grid } from '../../electron/core/reports/lp-audit.ts';
import { suppress, type Mark } from '../../electron/core/reports/suppression.ts';
import { reportGrid, splitMarks } from '../../electron/core/reports/report-grid.ts';
import { listTable, sexByAge } from '../../electron/core/reports/tables.ts';

/*
 * Disclosure control on tables worked out by hand, then on random tables (fast-check): no
 * published count from 1 to k−1, every suppressed cell's feasible range (by the LP) at least k
 * wide, and every fully published sum still adds up.
 */

/** A 2×2 table with margins: rows F, M, total; columns A, B, total. */
function twoByTwo(f: [number, number], m: [number, number]): Grid {
  const rows = [[...f, f[0] + f[1]], [...m, m[0] + m[1]]];
  const values = [...rows, [f[0] + m[0], f[1] + m[1], f[0] + f[1] + m[0] + m[1]]];
  const cell = (row: number, column: number) => ({ row, column });
  return {
    values,
    sums: [
      ...[0, 1, 2].map((r) => ({ parts: [cell(r, 0), cell(r, 1)], total: cell(r, 2) })),
      ...[0, 1, 2].map((c) => ({ parts: [cell(0, c), cell(1, c)], total: cell(2, c) })),
    ],
  };
}

const letters = (marks: Mark[][]) => marks.map((row) => row.map((mark) => (mark === 'primary' ? 'P' : mark === 'complementary' ? 'C' : '.')).join('')).join('/');

describe('suppression, worked by hand', () => {
  it('k = 5: one small cell, protected by three complements in its row and columns', async () => {
    //        A   B  Tot           A   B  Tot
    //   F    2   8   10      F    P   C   .
    //   M    6   9   15  →   M    C   C   .
    //  Tot   8  17   25     Tot   .   .   .
    const result = await suppress(twoByTwo([2, 8], [6, 9]), 5);
    expect(letters(result.marks)).toBe('PC./CC./...');
    // a + b = 10, c + d = 15, a + c = 8, b + d = 17, each hidden cell at least 1 (zeros are
    // never hidden): a ∈ [1, 7], b ∈ [3, 9], c ∈ [1, 7], d ∈ [8, 14]; all 6 wide.
    expect(result.ranges.map((range) => [range.min, range.max])).toEqual([
      [1, 7],
      [3, 9],
      [1, 7],
      [8, 14],
    ]);
  });

  it('k = 10: the inside is all small; totals that would give it away are hidden too', async () => {
    // Primary: 2, 8, 6, 9 and the A total 8. The B total (17) goes with it (the total row).
    // Then F-A + F-B = 10 leaves F-A in [1, 9], 8 wide: the F total (10) goes, and with it,
    // for the total column, the M total (15). Left: a + b + c + d = 25, each at least 1, so
    // every inner cell is in [1, 22] and every total of two in [2, 23].
    const result = await suppress(twoByTwo([2, 8], [6, 9]), 10);
    expect(letters(result.marks)).toBe('PPC/PPC/PC.');
    expect(result.ranges.map((range) => [range.min, range.max])).toEqual([
      [1, 22],
      [1, 22],
      [2, 23],
      [1, 22],
      [1, 22],
      [2, 23],
      [2, 23],
      [2, 23],
    ]);
  });

  it('k = 10: a hidden cell known to be at least 1 needs a wider complement', async () => {
    // 1, 10, 20 (total 31). Hiding 1 and 10 leaves their sum 11: either is in [1, 10], 9 wide.
    // The 20 goes too: [1, 29] each.
    const lines = ['a', 'b', 'c'].map((key) => ({ key, label: { vi: key, en: key } }));
    const counts: Record<string, number> = { a: 1, b: 10, c: 20 };
    const result = await suppress(listTable(listIndicator, lines, [{ key: 'n', label: { vi: 'n', en: 'n' } }], true, (row) => counts[row] ?? 0), 10);
    expect(letters(result.marks)).toBe('P/C/C/.');
    expect(result.ranges.map((range) => [range.min, range.max])).toEqual([
      [1, 29],
      [1, 29],
      [1, 29],
    ]);
  });

  it('sets tables against each other: services of a group are at least the persons who received it', async () => {
    // Services: psychological 21, harm reduction 3 (total 24); persons by group: psychological 21.
    // Hiding 3 and its complement 21 alone would leave psychological services in [21, 23]
    // (at least the 21 persons): the persons row goes too, and each is then in [1, 23].
    const services = listTable(
      INDICATORS.find((each) => each.id === 'services_by_type') ?? listIndicator,
      [
        { key: 'psychological_counselling', label: { vi: 'Tâm lý', en: 'Psychological' }, group: 'psychological' },
        { key: 'harm_reduction_supplies', label: { vi: 'Giảm hại', en: 'Harm reduction' }, group: 'harm_reduction' },
      ],
      [{ key: 'services', label: { vi: 'Lượt', en: 'Services' } }],
      true,
      (row) => (row === 'psychological_counselling' ? 21 : 3),
    );
    const groups = listTable(
      INDICATORS.find((each) => each.id === 'persons_by_service_group') ?? listIndicator,
      [{ key: 'psychological', label: { vi: 'Tâm lý', en: 'Psychological' } }],
      [{ key: 'persons', label: { vi: 'Người', en: 'Persons' } }],
      false,
      () => 21,
    );
    const { grid, blocks } = reportGrid([services, groups]);
    const result = await suppress(grid, 5, blocks);
    expect(splitMarks(result.marks, blocks).map(letters)).toEqual(['C/P/.', 'C']);
    expect(result.ranges.map((range) => [range.min, range.max])).toEqual([
      [1, 23],
      [1, 23],
      [1, 23],
    ]);
  });

  it('sets the child-protection referrals against the children registered, which they are tied to', async () => {
    // Every registered child gets a child-protection referral the day she is registered: a
    // reader knows that referrals made are at least the children registered. Two girls were
    // registered (suppressed), and five referrals made: published as they were before, they
    // held the hidden under-18 figures to at most 5, a range of 1 to 5, narrower than k.
    const registered = sexByAge(INDICATORS.find((each) => each.id === 'persons_registered') ?? sexByAgeIndicator, (sex, age) =>
      sex === 'female' ? ({ under_18: 2, '18_24': 9, '25_34': 14, '35_49': 6 } as Record<string, number>)[age] ?? 0 : sex === 'male' && age === '25_34' ? 7 : 0,
    );
    const childProtection = childProtectionTable(5);
    const k = 5;
    const { grid, blocks } = reportGrid([registered, childProtection]);
    const result = await suppress(grid, k, blocks);
    const published = (r: number, c: number) => result.marks[r]?.[c] === 'none';
    // A reader's own audit of what is published, with the relation written out here.
    const under18Total = { row: blocks[0]!.from + registered.rows.findIndex((line) => line.key === 'total'), column: registered.columns.findIndex((line) => line.key === 'under_18') };
    const made = { row: blocks[1]!.from, column: 0 };
    const reader: Grid = { values: grid.values, sums: grid.sums, atLeast: [{ larger: [made], smaller: [under18Total] }] };
    const ranges = await feasibleRanges(reader, (cell) => !published(cell.row, cell.column));
    expect(ranges.length).toBeGreaterThan(0);
    for (const range of ranges) expect(range.max - range.min, `range of ${range.cell.row},${range.cell.column}`).toBeGreaterThanOrEqual(k);
  });

  it('leaves out a relation that this report\'s numbers do not bear out, so the audit never contradicts itself', async () => {
    // A registration typed a year late: the child is registered, but no referral counted.
    const registered = sexByAge(INDICATORS.find((each) => each.id === 'persons_registered') ?? sexByAgeIndicator, (sex, age) => (sex === 'female' && age === 'under_18' ? 1 : sex === 'female' && age === '25_34' ? 12 : 0));
    const childProtection = childProtectionTable(0);
    const { grid, blocks } = reportGrid([registered, childProtection]);
    expect(grid.atLeast).toEqual([]);
    const result = await suppress(grid, 5, blocks);
    for (const range of result.ranges) expect(range.max - range.min).toBeGreaterThanOrEqual(5);
  });

  it('k = 10 on sex by age band: when the sums of a small cell hold only zeros, a total nearby is hidden instead', async () => {
    // Women 18–24: 6, 25–34: 8, 35–49: 2 (16); men 25–34: 5. Hiding the small ones and the women's
    // total (16, against the men's 5) still leaves 18–24 + 35–49 = 21 − 13 = 8 for the women:
    // narrower than 10. The cells around them are zeros, so the 25–34 total (13) goes; only the
    // grand total stays.
    const counts: Record<string, number> = { 'female|18_24': 6, 'female|25_34': 8, 'female|35_49': 2, 'male|25_34': 5 };
    const result = await suppress(sexByAge(sexByAgeIndicator, (sex, age) => counts[`${sex}|${age}`] ?? 0), 10);
    expect(letters(result.marks)).toBe('.PPP.C/..P..P/....../....../....../.PCP..');
    // a + b + c + d = 21 (women 18–24, 25–34, 35–49; men 25–34), each at least 1.
    expect(result.ranges.map((range) => [range.min, range.max])).toEqual([
      [1, 18],
      [1, 18],
      [1, 18],
      [3, 20],
      [1, 18],
      [1, 18],
      [1, 18],
      [2, 19],
      [1, 18],
    ]);
  });

  it('leaves zeros and counts of k or more alone, and a table with nothing small untouched', async () => {
    const result = await suppress(twoByTwo([0, 12], [10, 30]), 10);
    expect(letters(result.marks)).toBe('.../.../...');
    expect(result.solves).toBe(0);
  });

  it('protects two small cells of one row with a complement large enough for a range of k', async () => {
    // Row F: 1 + 2 = 3 both primary; their sum 3 is primary too. The columns then need complements.
    const result = await suppress(twoByTwo([1, 2], [20, 30]), 10);
    for (const range of result.ranges) expect(range.max - range.min).toBeGreaterThanOrEqual(10);
    expect(result.marks[0]).toEqual(['primary', 'primary', 'primary']);
  });
});

/** The child-protection referrals table: `made` referrals made, none completed. */
function childProtectionTable(made: number) {
  return listTable(
    INDICATORS.find((each) => each.id === 'child_protection_referrals') ?? listIndicator,
    [{ key: 'children', label: { vi: 'Trẻ em dưới 18 tuổi', en: 'Children under 18' } }],
    [
      { key: 'made', label: { vi: 'Đã đề xuất', en: 'Made' } },
      { key: 'completed', label: { vi: 'Hoàn thành', en: 'Completed' } },
    ],
    false,
    (_row, column) => (column === 'made' ? made : 0),
  );
}

/** A random sex-by-age table, or a list with a total row, with counts skewed small as at a small centre. */
const counts = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 60 })), { minLength: 25, maxLength: 25 });
const sexByAgeIndicator = INDICATORS.find((indicator) => indicator.id === 'persons_reached') ?? INDICATORS[0];
const listIndicator = INDICATORS.find((indicator) => indicator.id === 'referrals_by_type') ?? INDICATORS[0];

async function checkProtected(grid: Grid, k: number) {
  const result = await suppress(grid, k);
  const published = (r: number, c: number) => result.marks[r]?.[c] === 'none';
  grid.values.forEach((row, r) =>
    row.forEach((value, c) => {
      // Nothing from 1 to k−1 is published; every primary cell is suppressed.
      if (published(r, c)) expect(value === 0 || value >= k, `cell ${r},${c} = ${value}`).toBe(true);
    }),
  );
  // The LP, run afresh on what is published: every suppressed cell's range is at least k wide.
  const ranges = await feasibleRanges(grid, (cell) => !published(cell.row, cell.column));
  for (const range of ranges) expect(range.max - range.min, `range of ${range.cell.row},${range.cell.column}`).toBeGreaterThanOrEqual(k);
  // Published sums are consistent.
  for (const sum of grid.sums) {
    if ([...sum.parts, sum.total].every((cell) => published(cell.row, cell.column))) {
      const parts = sum.parts.reduce((total, cell) => total + (grid.values[cell.row]?.[cell.column] ?? 0), 0);
      expect(parts).toBe(grid.values[sum.total.row]?.[sum.total.column]);
    }
  }
}

describe('suppression of random tables', () => {
  it('sex by age band: no small cell shown, every suppressed range at least k, margins consistent', async () => {
    await fc.assert(
      fc.asyncProperty(counts, fc.integer({ min: 5, max: 12 }), async (values, k) => {
        await checkProtected(sexByAge(sexByAgeIndicator, (sex, age) => values[['female', 'male', 'trans_female', 'trans_male', 'other'].indexOf(sex) * 5 + ['under_18', '18_24', '25_34', '35_49', '50_plus'].indexOf(age)] ?? 0), k);
      }),
      { numRuns: 60 },
    );
  });

  it('lists with a total row (referrals made and completed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), { minLength: 9, maxLength: 9 }), fc.integer({ min: 5, max: 12 }), async (rows, k) => {
        const columns = listIndicator.shape.kind === 'list' ? listIndicator.shape.columns : [];
        const lines = rows.map((_, index) => ({ key: `r${index}`, label: { vi: `Dòng ${index}`, en: `Row ${index}` } }));
        await checkProtected(listTable(listIndicator, lines, columns, true, (row, column) => rows[Number(row.slice(1))]?.[column === 'made' ? 0 : 1] ?? 0), k);
      }),
      { numRuns: 60 },
    );
  });

  it('2×2 tables, checked by enumerating every integer table a reader could believe (no LP)', async () => {
    const CAP = 32;
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 14 })), fc.integer({ min: 5, max: 8 }), async ([a, b, c, d], k) => {
        const grid = twoByTwo([a, b], [c, d]);
        const { marks } = await suppress(grid, k);
        const hidden = (r: number, col: number) => marks[r]?.[col] !== 'none';
        const shownValue = (r: number, col: number) => (hidden(r, col) ? null : (grid.values[r]?.[col] ?? 0));
        // Every inner assignment consistent with what is shown (hidden cells are 1 or more).
        const choices = [0, 1, 2, 3].map((i) => {
          const [r, col] = [Math.floor(i / 2), i % 2];
          return hidden(r, col) ? Array.from({ length: CAP }, (_, n) => n + 1) : [shownValue(r, col) ?? 0];
        });
        const seen = new Map<string, [number, number]>();
        const fits = (values: number[][]) => values.every((row, r) => row.every((value, col) => (hidden(r, col) ? value >= 1 : value === shownValue(r, col))));
        for (const w of choices[0] ?? []) for (const x of choices[1] ?? []) for (const y of choices[2] ?? []) for (const z of choices[3] ?? []) {
          // The margins first: most assignments fail on them, before any array is built.
          if (!hidden(0, 2) && w + x !== shownValue(0, 2)) continue;
          if (!hidden(1, 2) && y + z !== shownValue(1, 2)) continue;
          if (!hidden(2, 0) && w + y !== shownValue(2, 0)) continue;
          if (!hidden(2, 1) && x + z !== shownValue(2, 1)) continue;
          const candidate = [[w, x, w + x], [y, z, y + z], [w + y, x + z, w + x + y + z]];
          if (!fits(candidate)) continue;
          candidate.forEach((row, r) =>
            row.forEach((value, col) => {
              if (!hidden(r, col)) return;
              const range = seen.get(`${r}${col}`) ?? [Infinity, -Infinity];
              seen.set(`${r}${col}`, [Math.min(range[0], value), Math.max(range[1], value)]);
            }),
          );
        }
        for (const [cell, [low, high]] of seen) {
          // A range reaching the cap is bounded by nothing shown.
          if (high < CAP) expect(high - low, `cell ${cell} of ${[a, b, c, d].join(',')} at k=${k}`).toBeGreaterThanOrEqual(k);
        }
      }),
      { numRuns: 40 },
    );
  });
});
