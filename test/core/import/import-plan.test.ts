import { describe, expect, it } from 'vitest';
import { importPlanSchema } from '../../../electron/contract/import.ts';
import { readUnderPlan, type AppFacts } from '../../../electron/core/import/import-plan.ts';
import type { SheetTable } from '../../../electron/core/import/sheet-file.ts';

/*
 * The planner alone, on small tables made here: what a row becomes where the rules meet
 * (a person's later rows, a child then who is an adult now, codes the sheet already holds).
 */

const APP: AppFacts = {
  today: '2026-11-28',
  catalogue: [{ id: 1, code: 'legal_counselling', nameVi: 'Tư vấn pháp lý', nameEn: 'Legal counselling', active: true }],
  codes: new Map([['LAHU90-1', 7]]),
  records: async () => new Map(),
};

const HEADER = ['Mã hồ sơ', 'Mã TC', 'Tên gọi', 'Năm sinh', 'Giới tính', 'Tên mẹ', 'Tên cha', 'Ngày ký đồng ý', 'Ngày tư vấn', 'Dịch vụ'];
const FIELDS = ['fileNumber', 'code', 'alias', 'birthYear', 'sex', 'motherName', 'fatherName', 'consentOn', 'visitOn', 'services'] as const;

function table(rows: (string | number | null)[][]): SheetTable {
  return { name: 'S', columns: HEADER.map((header) => ({ header, encoding: 'unicode' })), rows, rowNumbers: rows.map((_, i) => i + 2), headerRow: 1 };
}

const plan = (extra: object = {}) =>
  importPlanSchema.parse({ sheet: 0, columns: FIELDS.map((field) => ({ field })), workerId: 1, values: { sex: { Nữ: 'female' }, services: {}, place: {} }, ...extra });

describe('reading rows under a plan', () => {
  it('takes a later row of one person for her visit only: its empty details are not problems', async () => {
    const read = await readUnderPlan(
      table([
        ['H1', null, 'Mẫu Một', 1990, 'Nữ', 'Lan', 'Hùng', '01/03/2026', '01/03/2026', 'Tư vấn pháp lý'],
        ['H1', null, null, null, null, null, null, null, '05/04/2026', 'Tư vấn pháp lý'],
      ]),
      plan({ duplicates: { existing: 'new', inFile: null } }),
      APP,
    );
    expect(read.rows.map((row) => [row.outcome, row.visitOn, row.issues.map((issue) => issue.problem)])).toEqual([
      ['existing', '2026-03-01', []],
      ['visit', '2026-04-05', []],
    ]);
    expect(read.create[0]).toMatchObject({ code: 'LAHU90-1.2', visits: [{ visitOn: '2026-03-01' }, { visitOn: '2026-04-05' }] });
  });

  it('refuses someone who was a child on her earliest date in the register, adult as she is now', async () => {
    const read = await readUnderPlan(table([['H2', null, 'Mẫu Hai', 2007, 'Nữ', 'Mai', 'Tuấn', '01/03/2023', '01/03/2023', 'Tư vấn pháp lý']]), plan(), APP);
    expect(read.rows[0]).toMatchObject({ outcome: 'error', issues: [{ problem: 'child', severity: 'error' }] });
  });

  it('gives a different person a suffix no row of the sheet holds', async () => {
    const read = await readUnderPlan(
      table([
        ['H3', null, 'Mẫu Ba', 1990, 'Nữ', 'Lan', 'Hùng', '01/03/2026', null, null],
        ['H4', 'LAHU90-1.2', 'Mẫu Bốn', 1990, 'Nữ', null, null, '01/03/2026', null, null],
      ]),
      plan({ duplicates: { existing: 'new', inFile: null } }),
      APP,
    );
    expect(read.create.map((client) => client.code)).toEqual(['LAHU90-1.3', 'LAHU90-1.2']);
  });
});
