import { SUPPRESSED_MARK, type Report, type ReportFormat, type ReportTable } from '../../../contract/reports.ts';
import type { CsvSeparator } from '../../../contract/settings.ts';
import { INDICATORS } from '../../../contract/indicators.ts';

/* What every export format shares: the legend, the metadata, how a cell is written. */

export interface ExportContext {
  report: Report;
  /** The recipient and heading of the Word report, and the DHIS2 codes (from settings). */
  settings: {
    reportParentAgency: string;
    reportRecipient: string;
    reportDocumentNumber: string;
    reportPlace: string;
    reportSignerTitle: string;
    reportSignerName: string;
    dhis2OrgUnit: string;
    dhis2DataSet: string;
    dhis2Mapping: string;
    reportCsvSeparator: CsvSeparator;
  };
  /** The audit trail's last entry when the file was made: the export's own entry chains to it. */
  trail: { entry: number; hash: string };
}

export interface ExportFile {
  bytes: Buffer;
  extension: string;
}

export const EXTENSIONS: Record<ReportFormat, string> = { xlsx: 'xlsx', csv: 'csv', docx: 'docx', dhis2_json: 'json', adx: 'xml', adx_sdmx: 'xml', adx_dsd: 'xml' };

export function legend(k: number): string {
  return `${SUPPRESSED_MARK}: số liệu được che để không nhận ra được ai (ô có từ 1 đến ${k - 1} người hoặc lượt, và các ô che thêm để không tính ngược ra được ô đã che).`;
}

/** Is the table one of persons by sex and age band (both with totals)? */
export const isSexByAge = (table: ReportTable) => INDICATORS.find((indicator) => indicator.id === table.indicatorId)?.shape.kind === 'sexByAge';

/** A cell as text: its count, or the mark. */
export function cellText(value: number | null): string {
  return value === null ? SUPPRESSED_MARK : String(value);
}

/** The report's facts, as label and value pairs (the XLSX information sheet, the CSV head, the Word intro). */
export function facts(report: Report, trail: ExportContext['trail']): [string, string][] {
  return [
    ['Đơn vị báo cáo', report.centre.name],
    ['Mã đơn vị', report.centre.code],
    ['Kỳ báo cáo', `${report.period.label.vi} (${dmy(report.period.from)} – ${dmy(report.period.to)})`],
    ['Ngưỡng che số liệu (k)', `${report.k}: mọi ô chỉ có từ 1 đến ${report.k - 1} người hoặc lượt đều bị che`],
    ['Phiên bản định nghĩa chỉ số', indicatorVersions(report)],
    ['Thời điểm lập', localDateTime(report.generatedAt)],
    ['Căn cứ đối chiếu', trailWords(trail)],
    ['Mã SHA-256 của mục nhật ký', trail.hash],
  ];
}

/** How the file is tied to the centre's records: the audit trail's last entry before it, in words. */
export function trailWords(trail: ExportContext['trail']): string {
  return `Khi lập tệp này, nhật ký hệ thống của phần mềm có ${trail.entry} mục; mục số ${trail.entry} có mã SHA-256 ghi dưới đây. Mục ghi lần xuất tệp này là mục số ${trail.entry + 1}, nối vào mã đó và ghi mã SHA-256 của chính tệp. Khi cần chứng minh số liệu lấy từ hồ sơ của đơn vị, người quản trị kiểm tra tính toàn vẹn của nhật ký trong phần mềm và đối chiếu hai mã này.`;
}

/** The definitions' versions in words: one phrase when they agree, else each table's name with its own. */
export function indicatorVersions(report: Report): string {
  const versions = new Set(report.tables.map((table) => table.version));
  if (versions.size === 1) return `phiên bản ${[...versions][0]} (mọi chỉ số)`;
  return report.tables.map((table) => `${table.label.vi}: phiên bản ${table.version}`).join('; ');
}

const pad = (value: number) => String(value).padStart(2, '0');

/** An instant as the centre reads it: dd/mm/yyyy hh:mm in the PC's local time, never UTC. */
export function localDateTime(iso: string): string {
  const when = new Date(iso);
  return `${pad(when.getDate())}/${pad(when.getMonth() + 1)}/${when.getFullYear()} ${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

/** The same instant as a spreadsheet date-time whose fields are the local ones (a workbook has no time zone). */
export function localWallClock(iso: string): Date {
  const when = new Date(iso);
  return new Date(Date.UTC(when.getFullYear(), when.getMonth(), when.getDate(), when.getHours(), when.getMinutes(), when.getSeconds()));
}

/**
 * A worksheet name for each table: its Vietnamese name without the leading "Số", numbered so
 * names stay unique, cut at a word to Excel's 31 characters, without the characters Excel refuses.
 */
export function sheetNames(tables: readonly ReportTable[]): string[] {
  return tables.map((table, index) => {
    const words = table.label.vi.replace(/^Số\s+/u, '').replace(/[\\/?*[\]:]/g, ' ').split(/\s+/u);
    const first = words.shift() ?? '';
    let name = `${index + 1}. ${first.charAt(0).toLocaleUpperCase('vi')}${first.slice(1)}`;
    for (const word of words) {
      if (`${name} ${word}`.length > 31) break;
      name = `${name} ${word}`;
    }
    return name.replace(/[\s(]+$/u, '');
  });
}

export function dmy(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Every cell with its row and column, in reading order. */
export function* cellsOf(table: ReportTable) {
  for (const [r, row] of table.rows.entries()) {
    for (const [c, column] of table.columns.entries()) yield { row, column, value: table.cells[r]?.[c] ?? null };
  }
}
