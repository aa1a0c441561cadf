import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSheetBytes, readSheetFile, SHEET_FILE_MAX_BYTES } from '../../../electron/core/import/sheet-file.ts';
import { HEADER, ROWS } from '../../fixtures/import/make-sheets-data.ts';
import { writeSheets } from '../../fixtures/import/make-sheets.ts';
import { tempDir } from '../../support/vault-fixture.ts';

/*
 * Old registers read from their files (written by test/fixtures/import/make-sheets.ts into a
 * temporary folder): the
 * same synthetic register typed in a TCVN3 font, a VNI font, Unicode, and saved as CSV in
 * Windows-1258 and UTF-8; and the files an import refuses, each with its reason.
 */

let folder: string;
beforeAll(async () => {
  folder = tempDir('dh-import-');
  await writeSheets(folder);
});
const fixture = (name: string) => join(folder, name);
const asText = (rows: readonly (readonly (string | number)[])[]) => rows.map((row) => row.map((cell) => String(cell)));

describe('an old register read from its file', () => {
  for (const [file, encoding] of [
    ['so-dang-ky-tcvn3.xlsx', 'tcvn3'],
    ['so-dang-ky-vni.xlsx', 'vni'],
    ['so-dang-ky-unicode.xlsx', 'unicode'],
  ] as const) {
    it(`reads a workbook typed in ${encoding}: the table under its title, each text column made Unicode`, async () => {
      const read = await readSheetFile(fixture(file));
      expect(read.kind).toBe('xlsx');
      expect(read.sha256).toBe(createHash('sha256').update(readFileSync(fixture(file))).digest('hex'));
      expect(read.sheets).toHaveLength(1);
      const [sheet] = read.sheets;
      expect(sheet!.headerRow).toBe(3);
      expect(sheet!.columns.map((column) => column.header)).toEqual(HEADER);
      // Each column's header was typed in the font too; STT has plain letters and numbers only.
      expect(sheet!.columns.map((column) => column.encoding)).toEqual(['unicode', encoding, encoding, encoding, encoding, encoding, encoding]);
      expect(sheet!.rowNumbers).toEqual([4, 5, 6]);
      const expected = ROWS.map((row) => [...row]);
      // The VNI and Unicode books hold the third date as a date cell.
      if (encoding !== 'tcvn3') expected[2]![4] = new Date(Date.UTC(2024, 1, 1)) as unknown as string;
      expect(sheet!.rows).toEqual(expected);
    });
  }

  it('reads a CSV saved in Windows-1258, with semicolons between cells', async () => {
    const [sheet] = (await readSheetFile(fixture('so-dang-ky-windows-1258.csv'))).sheets;
    expect(sheet!.headerRow).toBe(1);
    expect(sheet!.columns.map((column) => column.header)).toEqual(HEADER);
    expect(sheet!.columns.every((column) => column.encoding === 'windows-1258')).toBe(true);
    expect(sheet!.rows).toEqual(asText(ROWS));
  });

  it('reads a UTF-8 CSV: its mark, a title row, quoted cells with commas, quotes and line ends, empty cells', async () => {
    const read = await readSheetFile(fixture('so-dang-ky-utf8.csv'));
    expect(read.kind).toBe('csv');
    const [sheet] = read.sheets;
    expect(sheet!.headerRow).toBe(2);
    expect(sheet!.columns.map((column) => column.header)).toEqual(HEADER);
    expect(sheet!.rows).toEqual([...asText(ROWS), ['4', 'Lê Thử "Bốn", Mẫu', 'Chị\nMẫu Bốn', '1985', null, null, null]]);
    expect(sheet!.rowNumbers).toEqual([3, 4, 5, 6]);
  });

  it('refuses an Excel 97–2003 file, a damaged workbook, an empty one, a file too large, one that is not there', async () => {
    await expect(readSheetFile(fixture('cu.xls'))).rejects.toMatchObject({ code: 'IMPORT_FILE_OLD_EXCEL' });
    await expect(readSheetFile(fixture('hong.xlsx'))).rejects.toMatchObject({ code: 'IMPORT_FILE_UNREADABLE' });
    await expect(readSheetFile(fixture('trong.xlsx'))).rejects.toMatchObject({ code: 'IMPORT_FILE_EMPTY' });
    await expect(readSheetFile(fixture('khong-co.xlsx'))).rejects.toMatchObject({ code: 'IMPORT_FILE_UNREADABLE' });
    await expect(readSheetBytes(Buffer.alloc(SHEET_FILE_MAX_BYTES + 1, 0x41))).rejects.toMatchObject({ code: 'IMPORT_FILE_TOO_LARGE' });
    // Bytes no text has (a picture, a program).
    await expect(readSheetBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]))).rejects.toMatchObject({ code: 'IMPORT_FILE_UNREADABLE' });
    await expect(readSheetBytes(Buffer.from('\r\n \r\n'))).rejects.toMatchObject({ code: 'IMPORT_FILE_EMPTY' });
  });
});
