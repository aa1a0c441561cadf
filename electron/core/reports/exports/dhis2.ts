import { dhis2MappingSchema } from '../../../contract/settings.ts';
import type { ReportTable } from '../../../contract/reports.ts';
import { AppError } from '../../app-error.ts';
import { cellsOf, type ExportContext, type ExportFile } from './common.ts';

/*
 * DHIS2: a dataValueSets JSON document and an ADX (ISO/IHE aggregate data exchange) document
 * for the centre's org unit and the report's period. Codes default to a fixed scheme (import
 * with idScheme=CODE); the settings can override any cell's codes, or leave a cell out with
 * null. Suppressed cells are left out: DHIS2 must not receive a number for them.
 */

const code = (key: string) => key.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export function defaultCodes(table: ReportTable, row: ReportTable['rows'][number], column: ReportTable['columns'][number]) {
  if (table.columns.some((each) => each.total)) {
    // Sex by age band.
    const combo = row.total && column.total ? 'TOTAL' : row.total ? `TOTAL_${code(column.key)}` : column.total ? `${code(row.key)}_TOTAL` : `${code(row.key)}_${code(column.key)}`;
    return { dataElement: `DH_${code(table.indicatorId)}`, categoryOptionCombo: combo };
  }
  return { dataElement: `DH_${code(table.indicatorId)}_${code(row.key)}`, categoryOptionCombo: table.columns.length === 1 ? 'default' : code(column.key) };
}

interface DataValue {
  dataElement: string;
  categoryOptionCombo: string;
  value: string;
}

function dataValues({ report, settings }: ExportContext): { orgUnit: string; period: string; adxPeriod: string; values: DataValue[] } {
  if (!report.period.dhis2 || !report.period.adx) throw new AppError('DHIS2_PERIOD_UNSUPPORTED');
  const overrides = dhis2MappingSchema.safeParse(JSON.parse(settings.dhis2Mapping || '{}'));
  if (!overrides.success || !settings.dhis2OrgUnit) throw new AppError('DHIS2_MAPPING_INVALID');
  const values: DataValue[] = [];
  for (const table of report.tables) {
    for (const { row, column, value } of cellsOf(table)) {
      if (value === null) continue;
      const key = `${table.indicatorId}.${row.key}.${column.key}`;
      const codes = key in overrides.data ? overrides.data[key] : defaultCodes(table, row, column);
      if (codes) values.push({ ...codes, value: String(value) });
    }
  }
  return { orgUnit: settings.dhis2OrgUnit, period: report.period.dhis2, adxPeriod: report.period.adx, values };
}

export async function toDhis2Json(context: ExportContext): Promise<ExportFile> {
  const { orgUnit, period, values } = dataValues(context);
  const document = {
    ...(context.settings.dhis2DataSet ? { dataSet: context.settings.dhis2DataSet } : {}),
    period,
    orgUnit,
    completeDate: context.report.generatedAt.slice(0, 10),
    dataValues: values.map((value) => ({ ...value, period, orgUnit })),
  };
  return { bytes: Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8'), extension: 'json' };
}

const attribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export async function toAdx(context: ExportContext): Promise<ExportFile> {
  const { orgUnit, adxPeriod, values } = dataValues(context);
  const dataSet = context.settings.dhis2DataSet ? ` dataSet="${attribute(context.settings.dhis2DataSet)}"` : '';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<adx xmlns="urn:ihe:qrph:adx:2015" exported="${attribute(context.report.generatedAt)}">`,
    `  <group orgUnit="${attribute(orgUnit)}" period="${attribute(adxPeriod)}"${dataSet} completeDate="${context.report.generatedAt.slice(0, 10)}">`,
    ...values.map((value) => `    <dataValue dataElement="${attribute(value.dataElement)}" categoryOptionCombo="${attribute(value.categoryOptionCombo)}" value="${attribute(value.value)}"/>`),
    '  </group>',
    '</adx>',
  ];
  return { bytes: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), extension: 'xml' };
}
