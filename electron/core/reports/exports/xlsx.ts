import type ExcelJSModule from 'exceljs';
import type { Worksheet } from 'exceljs';
import { UNIT_WORDS } from '../../../contract/indicators.ts';
import { cellText, dmy, facts, isSexByAge, legend, localWallClock, sheetNames, type ExportContext, type ExportFile } from './common.ts';

/** The Word report's face, named outright so no stacked Vietnamese accent is lost to a substitute. */
const FONT = 'Times New Roman';
/** The information sheet's value column, in characters, and about how many fit on one of its lines. */
const INFO_WIDTH = 80;
const INFO_LINE = Math.floor(INFO_WIDTH * 0.95);
/** Rows above each table: title, definition, centre, period, unit, blank; then the column heads. */
const HEAD_ROWS = 7;

/** Wide enough for the longest text of a column (Excel's width is in characters of the default font). */
const widthFor = (texts: readonly string[], min: number, max: number) => Math.min(max, Math.max(min, ...texts.map((text) => text.length + 2)));

/** Every used cell in the named font, keeping what bold or italic it has. */
function useFont(sheet: Worksheet): void {
  sheet.eachRow({ includeEmpty: false }, (row) => {
    row.eachCell({ includeEmpty: false }, (cell) => {
      cell.font = { ...cell.font, name: FONT, size: cell.font?.size ?? 12 };
    });
  });
}

/** A4, fitted to one page wide (as many pages long as it needs), the heads repeated on every page. */
function printOnA4(sheet: Worksheet, columns: number, titleRows: string | null): void {
  sheet.pageSetup = {
    paperSize: 9,
    orientation: columns > 5 ? 'landscape' : 'portrait',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.6, right: 0.6, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
    ...(titleRows ? { printTitlesRow: titleRows } : {}),
  };
  sheet.headerFooter = { oddFooter: '&C&"Times New Roman"&11Trang &P / &N' };
}

/**
 * One sheet with the report's facts, then one sheet per indicator table, each readable on its
 * own: the centre, the period, the unit and the legend beside the table, labels never cut off,
 * A4 fitted to the page width with the heads repeated. Suppressed cells hold the mark, never a
 * number.
 */
export async function toXlsx({ report, trail }: ExportContext): Promise<ExportFile> {
  // Loaded when a workbook is made, not when core starts (it takes about 0.3 s to load).
  const { default: ExcelJS } = (await import('exceljs')) as { default: typeof ExcelJSModule };
  const book = new ExcelJS.Workbook();
  book.creator = report.centre.code || 'dong-hanh';
  book.created = new Date(report.generatedAt);
  const info = book.addWorksheet('Thông tin');
  const rows = facts(report, trail);
  info.columns = [{ width: widthFor(rows.map(([label]) => label), 20, 40) }, { width: INFO_WIDTH }];
  info.addRow(['BÁO CÁO SỐ LIỆU TỔNG HỢP']).font = { bold: true, size: 14 };
  for (const [label, value] of rows) {
    if (label !== 'Thời điểm lập') {
      const row = info.addRow([label, value]);
      row.getCell(1).alignment = { vertical: 'top' };
      row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
      // Rows do not always grow by themselves when opened: a height for the lines the text takes.
      row.height = Math.max(1, Math.ceil(value.length / INFO_LINE)) * 16 + 2;
      continue;
    }
    // A real date-time cell, in the centre's time, shown as Vietnamese offices write it.
    const cell = info.addRow([label, localWallClock(report.generatedAt)]).getCell(2);
    cell.numFmt = 'dd/mm/yyyy hh:mm';
    cell.alignment = { horizontal: 'left' };
  }
  info.addRow([]);
  const legendRow = info.addRow(['Chú thích', legend(report.k)]);
  legendRow.getCell(1).alignment = { vertical: 'top' };
  legendRow.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  legendRow.height = Math.ceil(legend(report.k).length / INFO_LINE) * 16 + 2;
  useFont(info);
  printOnA4(info, 2, null);

  const names = sheetNames(report.tables);
  for (const [index, table] of report.tables.entries()) {
    const sheet = book.addWorksheet(names[index]);
    const last = table.columns.length + 1;
    sheet.columns = [
      { width: widthFor(table.rows.map((row) => row.label.vi), 18, 48) },
      ...table.columns.map((column) => ({ width: widthFor([column.label.vi], 10, 22) })),
    ];
    const charactersPerLine = Math.max(20, Math.floor(sheet.columns.reduce((sum, column) => sum + (column.width ?? 10), 0) * 0.95));
    // Text rows span the table's width and wrap inside it.
    const spanning = (text: string, style: Partial<ExcelJSModule.Font> = {}) => {
      const row = sheet.addRow([text]);
      sheet.mergeCells(row.number, 1, row.number, last);
      row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      row.getCell(1).font = style;
      // Merged cells do not grow by themselves: a height for the lines the text will take.
      row.height = Math.max(1, Math.ceil(text.length / charactersPerLine)) * 16 + 2;
      return row;
    };
    spanning(table.label.vi, { bold: true, size: 13 });
    spanning(`${table.definition.vi} (Định nghĩa chỉ số: phiên bản ${table.version}.)`, { size: 11 });
    spanning(`Đơn vị báo cáo: ${report.centre.name}`);
    spanning(`Kỳ báo cáo: ${report.period.label.vi} (${dmy(report.period.from)} – ${dmy(report.period.to)})`);
    spanning(`Đơn vị tính: ${UNIT_WORDS[table.unit].vi}`);
    sheet.addRow([]);
    // The corner names the breakdown.
    const head = sheet.addRow([isSexByAge(table) ? 'Giới tính / Nhóm tuổi' : '', ...table.columns.map((column) => column.label.vi)]);
    head.font = { bold: true };
    head.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    for (const [r, row] of table.rows.entries()) {
      const added = sheet.addRow([
        row.label.vi,
        ...table.columns.map((_, c) => {
          const value = table.cells[r]?.[c] ?? null;
          return value === null ? cellText(value) : value;
        }),
      ]);
      if (row.total) added.font = { bold: true };
      added.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      added.eachCell((cell, column) => {
        cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
        if (column > 1) cell.alignment = { horizontal: 'right' };
      });
    }
    head.eachCell((cell) => {
      cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
    });
    sheet.addRow([]);
    spanning(legend(report.k), { italic: true, size: 11 });
    useFont(sheet);
    printOnA4(sheet, last, `1:${HEAD_ROWS}`);
  }
  return { bytes: Buffer.from(await book.xlsx.writeBuffer()), extension: 'xlsx' };
}
