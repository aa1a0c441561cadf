import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type ExcelJSModule from 'exceljs';
import { AppError } from '../app-error.ts';
import { detectEncoding, toUnicode, type TextEncoding } from './vietnamese-text.ts';

/*
 * An old register read into memory: an Excel workbook (.xlsx) or a CSV file, as the manager
 * picked it in the shell's dialog. The file is read where it is, once, and never copied into
 * the app's folders; what the import keeps of it is its SHA-256 (for the trail) and the rows.
 * Each column's text is made Unicode from the font or code page it was typed in
 * (vietnamese-text.ts), and the header row is found under any title rows above it.
 */

/** The largest file read (a register of 10,000 clients and their visits is a few megabytes). */
export const SHEET_FILE_MAX_BYTES = 30 * 1024 * 1024;
/** The most rows one sheet may hold. */
export const SHEET_ROWS_MAX = 100_000;

/** A cell as read: text, a number, a date cell (midnight UTC of its day), or empty. */
export type SheetCell = string | number | Date | null;

export interface SheetColumn {
  /** The header's text, made Unicode ("" for a column without one). */
  header: string;
  /** What its text was typed in, and made Unicode from. */
  encoding: TextEncoding;
}

export interface SheetTable {
  name: string;
  columns: SheetColumn[];
  /** The rows under the header, each as long as `columns`; empty rows left out. */
  rows: SheetCell[][];
  /** Each row's number as the sheet shows it (1 is the first row of the file). */
  rowNumbers: number[];
  /** The header's own row number. */
  headerRow: number;
}

export interface SheetFile {
  kind: 'xlsx' | 'csv';
  sha256: string;
  bytes: number;
  sheets: SheetTable[];
}

/** Read the file at `path` (the dialog's choice). Refused with a code the screen says: too large, an old .xls, unreadable, empty. */
export async function readSheetFile(path: string): Promise<SheetFile> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new AppError('IMPORT_FILE_UNREADABLE', {}, { cause: error });
  }
  if (size > SHEET_FILE_MAX_BYTES) throw new AppError('IMPORT_FILE_TOO_LARGE');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AppError('IMPORT_FILE_UNREADABLE', {}, { cause: error });
  }
  return readSheetBytes(bytes);
}

const isZip = (bytes: Buffer) => bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
/** The compound file of Excel 97–2003 (.xls), which is to be saved again as .xlsx. */
const isOldExcel = (bytes: Buffer) => bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));

export async function readSheetBytes(bytes: Buffer): Promise<SheetFile> {
  if (bytes.length > SHEET_FILE_MAX_BYTES) throw new AppError('IMPORT_FILE_TOO_LARGE');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (isOldExcel(bytes)) throw new AppError('IMPORT_FILE_OLD_EXCEL');
  const kind = isZip(bytes) ? 'xlsx' : 'csv';
  const grids = kind === 'xlsx' ? await workbookGrids(bytes) : [{ name: 'CSV', grid: csvGrid(bytes) }];
  const sheets = grids.map(({ name, grid }) => tableOf(name, grid.cells, grid.legacy)).filter((sheet) => sheet !== null);
  if (sheets.length === 0) throw new AppError('IMPORT_FILE_EMPTY');
  return { kind, sha256, bytes: bytes.length, sheets };
}

interface Grid {
  cells: SheetCell[][];
  /** A CSV that was not UTF-8: its bytes read as Windows-1252, to be told apart as TCVN3, VNI or Windows-1258. */
  legacy: boolean;
}

/** Each worksheet's cells (rows as the sheet numbers them, from 1). */
async function workbookGrids(bytes: Buffer): Promise<{ name: string; grid: Grid }[]> {
  const { default: ExcelJS } = (await import('exceljs')) as { default: typeof ExcelJSModule };
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new AppError('IMPORT_FILE_UNREADABLE', {}, { cause: error });
  }
  return workbook.worksheets.map((sheet) => {
    if (sheet.rowCount > SHEET_ROWS_MAX + 50) throw new AppError('IMPORT_FILE_TOO_MANY_ROWS');
    const cells: SheetCell[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const values: SheetCell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        values[column - 1] = cellValue(cell.value);
      });
      cells[rowNumber - 1] = Array.from(values, (value) => value ?? null);
    });
    return { name: sheet.name, grid: { cells: Array.from(cells, (row) => row ?? []), legacy: false } };
  });
}

/** What a workbook's cell holds, as the import reads it (a formula's last result; rich text's words). */
function cellValue(value: unknown): SheetCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const object = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(object.richText)) return object.richText.map((part) => part.text).join('');
    if ('result' in object) return cellValue(object.result);
    if (typeof object.text === 'string') return object.text;
    if (object.error !== undefined) return null;
  }
  return null;
}

/** A CSV's cells: UTF-8 (with or without its mark), else its bytes as Windows-1252; comma, semicolon or tab between cells. */
function csvGrid(bytes: Buffer): Grid {
  if (bytes.includes(0)) throw new AppError('IMPORT_FILE_UNREADABLE');
  let text: string;
  let legacy = false;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
    legacy = true;
  }
  const cells = parseCsv(text.replace(/^\uFEFF/, ''));
  if (cells.length > SHEET_ROWS_MAX + 50) throw new AppError('IMPORT_FILE_TOO_MANY_ROWS');
  return { cells, legacy };
}

/** The separator a CSV uses: the one of comma, semicolon and tab most found in its first lines, outside quotes. */
function separatorOf(text: string): string {
  const head = text.slice(0, 8_000).replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((separator) => ({ separator, count: head.split(separator).length - 1 }));
  return counts.sort((a, b) => b.count - a.count)[0]!.separator;
}

/** RFC 4180 text: quoted cells may hold separators, line ends and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const separator = separatorOf(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === separator) {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const isFilled = (cell: SheetCell | undefined) => cell !== null && cell !== undefined && !(typeof cell === 'string' && cell.trim() === '');

/**
 * The header row: the first of the top rows holding at least half as many filled cells as the
 * fullest of them (a title above the table, "DANH SÁCH THÂN CHỦ 2023", has one).
 */
function headerIndexOf(cells: readonly SheetCell[][]): number {
  const top = cells.slice(0, 30).map((row) => row.filter(isFilled).length);
  const fullest = Math.max(0, ...top);
  return top.findIndex((count) => count > 0 && count * 2 >= fullest);
}

/** A grid as a table: its header, each column's text made Unicode, empty rows left out (null: nothing in it). */
function tableOf(name: string, cells: SheetCell[][], legacy: boolean): SheetTable | null {
  const headerIndex = headerIndexOf(cells);
  if (headerIndex < 0) return null;
  const width = Math.max(0, ...cells.map((row) => row.length));
  const body = cells.slice(headerIndex + 1).map((row, i) => ({ row, number: headerIndex + 2 + i })).filter(({ row }) => row.some(isFilled));
  if (body.length > SHEET_ROWS_MAX) throw new AppError('IMPORT_FILE_TOO_MANY_ROWS');
  const candidates: TextEncoding[] = legacy ? ['unicode', 'tcvn3', 'vni', 'windows-1258'] : ['unicode', 'tcvn3', 'vni'];
  const header = cells[headerIndex]!;
  const textsOf = (column: number) => [header[column], ...body.map(({ row }) => row[column])].filter((cell): cell is string => typeof cell === 'string');
  const found = Array.from({ length: width }, (_, column) => detectEncoding(textsOf(column), candidates));
  // A column whose few marked words read as well in Unicode as in the font the others were
  // typed in ("Mã hồ sơ" over codes alone) is taken as typed in that font too.
  const legacyCounts = new Map<TextEncoding, number>();
  for (const encoding of found) if (encoding !== 'unicode') legacyCounts.set(encoding, (legacyCounts.get(encoding) ?? 0) + 1);
  const sheetFont = [...legacyCounts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const columns: SheetColumn[] = [];
  const converted: SheetCell[][] = body.map(() => new Array<SheetCell>(width).fill(null));
  for (let column = 0; column < width; column++) {
    const detected = found[column] === 'unicode' && sheetFont ? detectEncoding(textsOf(column), candidates, sheetFont) : found[column]!;
    // A legacy CSV's plain text is read as Windows-1258 at least (its letters are not Western ones).
    const encoding = legacy && detected === 'unicode' ? 'windows-1258' : detected;
    const read = (cell: SheetCell | undefined): SheetCell => {
      if (typeof cell !== 'string') return cell ?? null;
      const text = toUnicode(cell, encoding).trim();
      return text === '' ? null : text;
    };
    columns.push({ header: String(read(header[column]) ?? ''), encoding });
    body.forEach(({ row }, i) => {
      converted[i]![column] = read(row[column]);
    });
  }
  return { name, columns, rows: converted, rowNumbers: body.map(({ number }) => number), headerRow: headerIndex + 1 };
}
