import { dhis2MappingSchema } from '../../../contract/settings.ts';
import type { ReportTable } from '../../../contract/reports.ts';
import { AppError } from '../../app-error.ts';
import { cellsOf, isSexByAge, type ExportContext, type ExportFile } from './common.ts';

/*
 * DHIS2: a dataValueSets JSON document and an ADX (ISO/IHE aggregate data exchange) document
 * for the centre's org unit and the report's period. Codes default to a fixed scheme, and the
 * JSON says so (idScheme CODE in the payload); the settings can override any cell's codes, or
 * leave a cell out with null. Suppressed cells are left out: DHIS2 must not receive a number
 * for them.
 *
 * DHIS2 adds up the category option combos of a data element. So a disaggregated cell goes
 * under the indicator's data element, and every total under a data element of its own
 * (`_TOTAL`, `_BY_SEX`, `_BY_AGE`, a list row's `_TOTAL`), for every indicator alike: no total is
 * ever sent beside its parts, and a total whose parts are suppressed still arrives.
 */

const code = (key: string) => key.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export interface CellCodes {
  dataElement: string;
  categoryOptionCombo: string;
}

export function defaultCodes(table: ReportTable, row: ReportTable['rows'][number], column: ReportTable['columns'][number]): CellCodes {
  const element = `DH_${code(table.indicatorId)}`;
  if (isSexByAge(table)) {
    if (row.total && column.total) return { dataElement: `${element}_TOTAL`, categoryOptionCombo: 'default' };
    if (row.total) return { dataElement: `${element}_BY_AGE`, categoryOptionCombo: code(column.key) };
    if (column.total) return { dataElement: `${element}_BY_SEX`, categoryOptionCombo: code(row.key) };
    return { dataElement: element, categoryOptionCombo: `${code(row.key)}_${code(column.key)}` };
  }
  // A list: a data element per row (the total row too), its count columns as combos, its total column apart.
  const rowElement = `${element}_${code(row.key)}`;
  if (column.total) return { dataElement: `${rowElement}_TOTAL`, categoryOptionCombo: 'default' };
  const single = table.columns.filter((each) => !each.total).length === 1;
  return { dataElement: rowElement, categoryOptionCombo: single ? 'default' : code(column.key) };
}

interface DataValue extends CellCodes {
  value: string;
}

function dataValues({ report, settings }: ExportContext): { orgUnit: string; period: string; adxPeriod: string; values: DataValue[] } {
  if (!report.period.dhis2 || !report.period.adx) throw new AppError('DHIS2_PERIOD_UNSUPPORTED');
  const overrides = dhis2MappingSchema.safeParse(JSON.parse(settings.dhis2Mapping || '{}'));
  // Both codes name where the numbers go: nothing is sent until they are set.
  if (!overrides.success || !settings.dhis2OrgUnit || !settings.dhis2DataSet) throw new AppError('DHIS2_MAPPING_INVALID');
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
    // The payload names its identifier scheme, so DHIS2 reads codes without import parameters.
    idScheme: 'CODE',
    dataSetIdScheme: 'CODE',
    dataElementIdScheme: 'CODE',
    orgUnitIdScheme: 'CODE',
    dataSet: context.settings.dhis2DataSet,
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
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<adx xmlns="urn:ihe:qrph:adx:2015" exported="${attribute(context.report.generatedAt)}">`,
    `  <group orgUnit="${attribute(orgUnit)}" period="${attribute(adxPeriod)}" dataSet="${attribute(context.settings.dhis2DataSet)}" completeDate="${context.report.generatedAt.slice(0, 10)}">`,
    ...values.map((value) => `    <dataValue dataElement="${attribute(value.dataElement)}" categoryOptionCombo="${attribute(value.categoryOptionCombo)}" value="${attribute(value.value)}"/>`),
    '  </group>',
    '</adx>',
  ];
  return { bytes: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), extension: 'xml' };
}
