import { SUPPRESSED_MARK } from '../../../contract/reports.ts';
import { cellsOf, legend, type ExportContext, type ExportFile } from './common.ts';

const quote = (value: string | number) => {
  const text = String(value);
  return /[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * One row per cell of every table (long form, for machines), UTF-8 with a byte-order mark so
 * Excel reads the Vietnamese right. A suppressed cell has the mark as its value and 1 in
 * `suppressed`; the last row is the legend.
 */
export async function toCsv({ report }: ExportContext): Promise<ExportFile> {
  const header = ['centre_code', 'period_from', 'period_to', 'k', 'indicator_id', 'indicator_version', 'indicator', 'row_key', 'row', 'column_key', 'column', 'value', 'suppressed'];
  const lines = [header.join(',')];
  for (const table of report.tables) {
    for (const { row, column, value } of cellsOf(table)) {
      lines.push(
        [report.centre.code, report.period.from, report.period.to, report.k, table.indicatorId, table.version, table.label.vi, row.key, row.label.vi, column.key, column.label.vi, value ?? SUPPRESSED_MARK, value === null ? 1 : 0]
          .map(quote)
          .join(','),
      );
    }
  }
  lines.push(['', '', '', report.k, '_legend', '', legend(report.k), '', '', '', '', SUPPRESSED_MARK, ''].map(quote).join(','));
  return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]), extension: 'csv' };
}
