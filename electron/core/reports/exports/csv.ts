import { UNIT_WORDS } from '../../../contract/indicators.ts';
import { SUPPRESSED_MARK } from '../../../contract/reports.ts';
import { cellsOf, type ExportContext, type ExportFile } from './common.ts';

/** The columns: their words for people (first header row), their codes for machines (second). */
const COLUMNS = [
  ['Mã đơn vị', 'centre_code'],
  ['Từ ngày', 'period_from'],
  ['Đến ngày', 'period_to'],
  ['Ngưỡng che (k)', 'k'],
  ['Mã chỉ số', 'indicator_id'],
  ['Phiên bản chỉ số', 'indicator_version'],
  ['Chỉ số', 'indicator'],
  ['Đơn vị đếm', 'unit'],
  ['Mã dòng', 'row_key'],
  ['Dòng', 'row'],
  ['Mã cột', 'column_key'],
  ['Cột', 'column'],
  [`Giá trị (${SUPPRESSED_MARK}: bị che)`, 'value'],
  ['Bị che (1: có)', 'suppressed'],
] as const;

/** One line of a CSV the centre's Excel reads: cells quoted where they hold a separator, a quote or a line end. */
export function csvLine(values: readonly (string | number)[], separator: string): string {
  const quote = (value: string | number) => {
    const text = String(value);
    return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return values.map(quote).join(separator);
}

/**
 * One row per cell of every table (long form), UTF-8 with a byte-order mark so Excel reads the
 * Vietnamese right, separated as the managers' Excel expects (";" on Vietnamese Windows, a
 * setting). Two header rows: the columns in words, then their codes. A suppressed cell has the
 * mark as its value and 1 in `suppressed`; what the mark means is in the value column's header,
 * never in a row of its own.
 */
export async function toCsv({ report, settings }: ExportContext): Promise<ExportFile> {
  const line = (values: readonly (string | number)[]) => csvLine(values, settings.reportCsvSeparator);
  const lines = [line(COLUMNS.map(([words]) => words)), line(COLUMNS.map(([, code]) => code))];
  for (const table of report.tables) {
    for (const { row, column, value } of cellsOf(table)) {
      lines.push(
        line([
          report.centre.code,
          report.period.from,
          report.period.to,
          report.k,
          table.indicatorId,
          table.version,
          table.label.vi,
          UNIT_WORDS[table.unit].vi,
          row.key,
          row.label.vi,
          column.key,
          column.label.vi,
          value ?? SUPPRESSED_MARK,
          value === null ? 1 : 0,
        ]),
      );
    }
  }
  return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]), extension: 'csv' };
}
