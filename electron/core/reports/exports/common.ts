import { SUPPRESSED_MARK, type Report, type ReportFormat, type ReportTable } from '../../../contract/reports.ts';

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
  };
}

export interface ExportFile {
  bytes: Buffer;
  extension: string;
}

export const EXTENSIONS: Record<ReportFormat, string> = { xlsx: 'xlsx', csv: 'csv', docx: 'docx', dhis2_json: 'json', adx: 'xml' };

export function legend(k: number): string {
  return `${SUPPRESSED_MARK}: số liệu được che để không nhận ra được ai (ô có từ 1 đến ${k - 1} người hoặc lượt, và các ô che thêm để không tính ngược ra được ô đã che).`;
}

/** A cell as text: its count, or the mark. */
export function cellText(value: number | null): string {
  return value === null ? SUPPRESSED_MARK : String(value);
}

/** The report's facts, as label and value pairs (the XLSX information sheet, the CSV head, the Word intro). */
export function facts(report: Report): [string, string][] {
  return [
    ['Đơn vị báo cáo', report.centre.name],
    ['Mã đơn vị', report.centre.code],
    ['Kỳ báo cáo', `${report.period.label.vi} (${dmy(report.period.from)} – ${dmy(report.period.to)})`],
    ['Ngưỡng che số liệu (k)', String(report.k)],
    ['Phiên bản chỉ số', report.tables.map((table) => `${table.indicatorId} v${table.version}`).join(', ')],
    ['Thời điểm lập', report.generatedAt],
  ];
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
