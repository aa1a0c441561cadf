import type { ReportFormat } from '../../../contract/reports.ts';
import type { ExportContext, ExportFile } from './common.ts';
import { toCsv } from './csv.ts';
import { toAdx, toAdxStandard, toAdxStructure, toDhis2Json } from './dhis2.ts';
import { toDocx } from './docx.ts';
import { toXlsx } from './xlsx.ts';

export { EXTENSIONS, type ExportContext, type ExportFile } from './common.ts';

const WRITERS: Record<ReportFormat, (context: ExportContext) => Promise<ExportFile>> = {
  xlsx: toXlsx,
  csv: toCsv,
  docx: toDocx,
  dhis2_json: toDhis2Json,
  adx: toAdx,
  adx_sdmx: toAdxStandard,
  adx_dsd: toAdxStructure,
};

/** The report as a file of the chosen format, in memory (it is written only where the manager chose). */
export function buildExport(format: ReportFormat, context: ExportContext): Promise<ExportFile> {
  return WRITERS[format](context);
}
