import type ExcelJSModule from 'exceljs';
import { cellText, facts, legend, localWallClock, sheetNames, type ExportContext, type ExportFile } from './common.ts';

/** One sheet with the report's facts, then one sheet per indicator table. Suppressed cells hold the mark, never a number. */
export async function toXlsx({ report }: ExportContext): Promise<ExportFile> {
  // Loaded when a workbook is made, not when core starts (it takes about 0.3 s to load).
  const { default: ExcelJS } = (await import('exceljs')) as { default: typeof ExcelJSModule };
  const book = new ExcelJS.Workbook();
  book.creator = report.centre.code || 'dong-hanh';
  book.created = new Date(report.generatedAt);
  const info = book.addWorksheet('Thông tin');
  info.columns = [{ width: 30 }, { width: 90 }];
  info.addRow(['BÁO CÁO SỐ LIỆU TỔNG HỢP']).font = { bold: true, size: 13 };
  for (const [label, value] of facts(report)) {
    if (label !== 'Thời điểm lập') {
      info.addRow([label, value]);
      continue;
    }
    // A real date-time cell, in the centre's time, shown as Vietnamese offices write it.
    const cell = info.addRow([label, localWallClock(report.generatedAt)]).getCell(2);
    cell.numFmt = 'dd/mm/yyyy hh:mm';
    cell.alignment = { horizontal: 'left' };
  }
  info.addRow([]);
  info.addRow(['Chú thích', legend(report.k)]);
  const names = sheetNames(report.tables);
  for (const [index, table] of report.tables.entries()) {
    const sheet = book.addWorksheet(names[index]);
    sheet.columns = [{ width: 34 }, ...table.columns.map(() => ({ width: 14 }))];
    sheet.addRow([table.label.vi]).font = { bold: true, size: 12 };
    sheet.addRow([table.definition.vi]).alignment = { wrapText: false };
    sheet.addRow([`Định nghĩa chỉ số: phiên bản ${table.version}`]);
    sheet.addRow([]);
    sheet.addRow(['', ...table.columns.map((column) => column.label.vi)]).font = { bold: true };
    for (const [r, row] of table.rows.entries()) {
      const added = sheet.addRow([row.label.vi, ...table.columns.map((_, c) => {
        const value = table.cells[r]?.[c] ?? null;
        return value === null ? cellText(value) : value;
      })]);
      if (row.total) added.font = { bold: true };
      added.eachCell((cell, index) => {
        if (index > 1) cell.alignment = { horizontal: 'right' };
      });
    }
    sheet.addRow([]);
    sheet.addRow([legend(report.k)]).font = { italic: true };
  }
  return { bytes: Buffer.from(await book.xlsx.writeBuffer()), extension: 'xlsx' };
}
