import { dhis2MappingSchema } from '../../../contract/settings.ts';
import type { ReportTable } from '../../../contract/reports.ts';
import type { SEXES, AGE_BANDS } from '../../../contract/vocabulary.ts';
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

/** Where the numbers go: a period DHIS2 and ADX can name, the org unit and the data set. */
function destination({ report, settings }: ExportContext): { orgUnit: string; dataSet: string; period: string; adxPeriod: string } {
  if (!report.period.dhis2 || !report.period.adx) throw new AppError('DHIS2_PERIOD_UNSUPPORTED');
  // Both codes name where the numbers go: nothing is sent until they are set.
  if (!settings.dhis2OrgUnit || !settings.dhis2DataSet) throw new AppError('DHIS2_MAPPING_INVALID');
  return { orgUnit: settings.dhis2OrgUnit, dataSet: settings.dhis2DataSet, period: report.period.dhis2, adxPeriod: report.period.adx };
}

function dataValues(context: ExportContext): { orgUnit: string; period: string; adxPeriod: string; values: DataValue[] } {
  const { report, settings } = context;
  const where = destination(context);
  const overrides = dhis2MappingSchema.safeParse(JSON.parse(settings.dhis2Mapping || '{}'));
  if (!overrides.success) throw new AppError('DHIS2_MAPPING_INVALID');
  const values: DataValue[] = [];
  for (const table of report.tables) {
    for (const { row, column, value } of cellsOf(table)) {
      if (value === null) continue;
      const key = `${table.indicatorId}.${row.key}.${column.key}`;
      const codes = key in overrides.data ? overrides.data[key] : defaultCodes(table, row, column);
      if (codes) values.push({ ...codes, value: String(value) });
    }
  }
  return { ...where, values };
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

/*
 * Standard ADX, for systems other than DHIS2: the breakdown is told by the attributes `SEX` and
 * `AGE`, declared with their code lists in a data structure definition (SDMX 2.1, as the ADX
 * profile asks), which the centre saves once and gives to the receiving system. Totals go under
 * data elements of their own, as in the DHIS2 files, so no total sits beside its parts.
 */

const AGENCY = 'DONG_HANH';
export const ADX_SEX_CODES: Record<(typeof SEXES)[number], { code: string; vi: string; en: string }> = {
  female: { code: 'F', vi: 'Nữ', en: 'Female' },
  male: { code: 'M', vi: 'Nam', en: 'Male' },
  trans_female: { code: 'TGW', vi: 'Chuyển giới nữ', en: 'Transgender woman' },
  trans_male: { code: 'TGM', vi: 'Chuyển giới nam', en: 'Transgender man' },
  other: { code: 'O', vi: 'Khác / không nói', en: 'Other / not said' },
};
export const ADX_AGE_CODES: Record<(typeof AGE_BANDS)[number], { code: string; vi: string; en: string }> = {
  under_18: { code: 'Y_LT18', vi: 'Dưới 18', en: 'Under 18' },
  '18_24': { code: 'Y18T24', vi: '18–24', en: '18–24' },
  '25_34': { code: 'Y25T34', vi: '25–34', en: '25–34' },
  '35_49': { code: 'Y35T49', vi: '35–49', en: '35–49' },
  '50_plus': { code: 'Y_GE50', vi: '50 trở lên', en: '50 and over' },
};

interface StandardCodes {
  dataElement: string;
  /** What each data element stands for, for the structure's code list. */
  name: { vi: string; en: string };
  SEX?: string;
  AGE?: string;
}

function standardCodes(table: ReportTable, row: ReportTable['rows'][number], column: ReportTable['columns'][number]): StandardCodes {
  const element = `DH_${code(table.indicatorId)}`;
  if (isSexByAge(table)) {
    const sex = ADX_SEX_CODES[row.key as keyof typeof ADX_SEX_CODES]?.code;
    const age = ADX_AGE_CODES[column.key as keyof typeof ADX_AGE_CODES]?.code;
    if (row.total && column.total) return { dataElement: `${element}_TOTAL`, name: { vi: `${table.label.vi}: tổng`, en: `${table.label.en}: total` } };
    if (row.total) return { dataElement: `${element}_BY_AGE`, name: { vi: `${table.label.vi}: tổng theo nhóm tuổi`, en: `${table.label.en}: total by age` }, AGE: age };
    if (column.total) return { dataElement: `${element}_BY_SEX`, name: { vi: `${table.label.vi}: tổng theo giới tính`, en: `${table.label.en}: total by sex` }, SEX: sex };
    return { dataElement: element, name: table.label, SEX: sex, AGE: age };
  }
  const rowElement = `${element}_${code(row.key)}`;
  const rowName = { vi: `${table.label.vi}: ${row.label.vi}`, en: `${table.label.en}: ${row.label.en}` };
  if (column.total) return { dataElement: `${rowElement}_TOTAL`, name: { vi: `${rowName.vi}, tổng`, en: `${rowName.en}, total` } };
  const single = table.columns.filter((each) => !each.total).length === 1;
  return single ? { dataElement: rowElement, name: rowName } : { dataElement: `${rowElement}_${code(column.key)}`, name: { vi: `${rowName.vi}, ${column.label.vi}`, en: `${rowName.en}, ${column.label.en}` } };
}

export async function toAdxStandard(context: ExportContext): Promise<ExportFile> {
  const { orgUnit, dataSet, adxPeriod } = destination(context);
  const values: string[] = [];
  for (const table of context.report.tables) {
    for (const { row, column, value } of cellsOf(table)) {
      if (value === null) continue;
      const codes = standardCodes(table, row, column);
      const breakdown = `${codes.SEX ? ` SEX="${attribute(codes.SEX)}"` : ''}${codes.AGE ? ` AGE="${attribute(codes.AGE)}"` : ''}`;
      values.push(`    <dataValue dataElement="${attribute(codes.dataElement)}"${breakdown} value="${value}"/>`);
    }
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<adx xmlns="urn:ihe:qrph:adx:2015" exported="${attribute(context.report.generatedAt)}">`,
    `  <group orgUnit="${attribute(orgUnit)}" period="${attribute(adxPeriod)}" dataSet="${attribute(dataSet)}" completeDate="${context.report.generatedAt.slice(0, 10)}">`,
    ...values,
    '  </group>',
    '</adx>',
  ];
  return { bytes: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), extension: 'xml' };
}

const text = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const names = (words: { vi: string; en: string }, indent: string) => [`${indent}<com:Name xml:lang="vi">${text(words.vi)}</com:Name>`, `${indent}<com:Name xml:lang="en">${text(words.en)}</com:Name>`];
const codelist = (id: string, title: { vi: string; en: string }, codes: { code: string; vi: string; en: string }[]) => [
  `      <str:Codelist id="${id}" agencyID="${AGENCY}" version="1.0">`,
  ...names(title, '        '),
  ...codes.flatMap((each) => [`        <str:Code id="${attribute(each.code)}">`, ...names(each, '          '), '        </str:Code>']),
  '      </str:Codelist>',
];
const conceptRef = (id: string, scheme: string, agency: string) => `<Ref id="${id}" maintainableParentID="${scheme}" maintainableParentVersion="1.0" agencyID="${agency}"/>`;
const enumeration = (id: string) => `<str:Enumeration><Ref agencyID="${AGENCY}" id="${id}" version="1.0"/></str:Enumeration>`;

/**
 * The data structure definition the standard ADX file follows: the data elements of this
 * report (every cell, suppressed or not, so the structure does not tell which were hidden), the
 * sex and age code lists, the centre's org unit, and the ADX dimensions.
 */
export async function toAdxStructure(context: ExportContext): Promise<ExportFile> {
  const { orgUnit, dataSet } = destination(context);
  const elements = new Map<string, { code: string; vi: string; en: string }>();
  for (const table of context.report.tables) {
    for (const { row, column } of cellsOf(table)) {
      const codes = standardCodes(table, row, column);
      elements.set(codes.dataElement, { code: codes.dataElement, ...codes.name });
    }
  }
  const dimension = (id: string, concept: string, scheme: string, agency: string, list: string | null) => [
    `          <str:Dimension id="${id}">`,
    `            <str:ConceptIdentity>${conceptRef(concept, scheme, agency)}</str:ConceptIdentity>`,
    ...(list ? [`            <str:LocalRepresentation>${enumeration(list)}</str:LocalRepresentation>`] : []),
    '          </str:Dimension>',
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">',
    '  <mes:Header>',
    `    <mes:ID>${attribute(code(`DSD_${dataSet}`))}</mes:ID>`,
    '    <mes:Test>false</mes:Test>',
    `    <mes:Prepared>${context.report.generatedAt}</mes:Prepared>`,
    `    <mes:Sender id="${attribute(orgUnit)}">`,
    ...names({ vi: context.report.centre.name, en: context.report.centre.name }, '      '),
    '    </mes:Sender>',
    '  </mes:Header>',
    '  <mes:Structures>',
    '    <str:Codelists>',
    ...codelist('CL_DATA_ELEMENT', { vi: 'Các chỉ số (phần tử dữ liệu)', en: 'Indicators (data elements)' }, [...elements.values()]),
    ...codelist('CL_ORG_UNIT', { vi: 'Đơn vị báo cáo', en: 'Reporting unit' }, [{ code: orgUnit, vi: context.report.centre.name, en: context.report.centre.name }]),
    ...codelist('CL_SEX', { vi: 'Giới tính', en: 'Sex' }, Object.values(ADX_SEX_CODES)),
    ...codelist('CL_AGE', { vi: 'Nhóm tuổi (theo năm sinh, tính ở ngày cuối kỳ)', en: 'Age band (by year of birth, at the end of the period)' }, Object.values(ADX_AGE_CODES)),
    '    </str:Codelists>',
    '    <str:Concepts>',
    '      <str:ConceptScheme id="ADX_MANDATORY_CONCEPTS" agencyID="IHE_QRPH" version="1.0">',
    '        <com:Name xml:lang="en">Mandatory concepts defined by IHE ADX profile</com:Name>',
    '        <str:Concept id="dataElement"><com:Name xml:lang="en">Subject of the data measure</com:Name></str:Concept>',
    '        <str:Concept id="orgUnit"><com:Name xml:lang="en">Spatial dimension of the measure</com:Name></str:Concept>',
    '        <str:Concept id="period"><com:Name xml:lang="en">Temporal dimension of the measure</com:Name></str:Concept>',
    '        <str:Concept id="value"><com:Name xml:lang="en">Value of the data measure</com:Name><str:CoreRepresentation><str:TextFormat textType="Decimal"/></str:CoreRepresentation></str:Concept>',
    '      </str:ConceptScheme>',
    `      <str:ConceptScheme id="DH_CONCEPTS" agencyID="${AGENCY}" version="1.0">`,
    ...names({ vi: 'Các chiều phân tổ', en: 'Disaggregations' }, '        '),
    `        <str:Concept id="SEX">${names({ vi: 'Giới tính', en: 'Sex' }, '').join('')}<str:CoreRepresentation>${enumeration('CL_SEX')}</str:CoreRepresentation></str:Concept>`,
    `        <str:Concept id="AGE">${names({ vi: 'Nhóm tuổi', en: 'Age band' }, '').join('')}<str:CoreRepresentation>${enumeration('CL_AGE')}</str:CoreRepresentation></str:Concept>`,
    '      </str:ConceptScheme>',
    '    </str:Concepts>',
    '    <str:DataStructures>',
    `      <str:DataStructure id="${attribute(code(dataSet))}" agencyID="${AGENCY}" version="1.0">`,
    ...names({ vi: 'Số liệu tổng hợp gửi cơ quan cấp trên (ADX)', en: 'Aggregate figures for the city (ADX)' }, '        '),
    '        <str:DataStructureComponents>',
    '          <str:DimensionList>',
    ...dimension('dataElement', 'dataElement', 'ADX_MANDATORY_CONCEPTS', 'IHE_QRPH', 'CL_DATA_ELEMENT'),
    ...dimension('orgUnit', 'orgUnit', 'ADX_MANDATORY_CONCEPTS', 'IHE_QRPH', 'CL_ORG_UNIT'),
    ...dimension('SEX', 'SEX', 'DH_CONCEPTS', AGENCY, null),
    ...dimension('AGE', 'AGE', 'DH_CONCEPTS', AGENCY, null),
    '            <str:TimeDimension id="TIME_PERIOD">',
    `              <str:ConceptIdentity>${conceptRef('period', 'ADX_MANDATORY_CONCEPTS', 'IHE_QRPH')}</str:ConceptIdentity>`,
    '              <str:LocalRepresentation><str:TextFormat textType="TimeRange"/></str:LocalRepresentation>',
    '            </str:TimeDimension>',
    '          </str:DimensionList>',
    '          <str:Group id="OUTER_DIMENSIONS">',
    '            <str:GroupDimension><str:DimensionReference><Ref id="orgUnit"/></str:DimensionReference></str:GroupDimension>',
    '            <str:GroupDimension><str:DimensionReference><Ref id="TIME_PERIOD"/></str:DimensionReference></str:GroupDimension>',
    '          </str:Group>',
    '          <str:MeasureList>',
    `            <str:PrimaryMeasure id="OBS_VALUE"><str:ConceptIdentity>${conceptRef('value', 'ADX_MANDATORY_CONCEPTS', 'IHE_QRPH')}</str:ConceptIdentity></str:PrimaryMeasure>`,
    '          </str:MeasureList>',
    '        </str:DataStructureComponents>',
    '      </str:DataStructure>',
    '    </str:DataStructures>',
    '  </mes:Structures>',
    '</mes:Structure>',
  ];
  return { bytes: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), extension: 'xml' };
}
