import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import { validateXML } from 'xmllint-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDICATORS, SUPPRESSED_MARK, type CentreSettings, type Report, type ReportFormat, type ReportSettings, type ReportTable } from '../../electron/contract/index.ts';
import { ADMIN, copyOfTemplate, loginAs, MANAGER, openApp, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';
import { buildReportDataset, PLANTED, Q3_2026, runReport } from '../support/report-data.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';

/*
 * Reports through the real gate on a hand-counted dataset (support/report-data.ts), k = 5:
 * the tables and their suppression, every export format read back, the log, and refusals.
 */

let dir: string;
let codes: string[];
beforeAll(async () => {
  // One dataset for the file: built once, copied for each test.
  const app = await copyOfTemplate();
  ({ codes } = await buildReportDataset(app));
  await app.core.shutdown();
  dir = app.dir;
});

/** A copy of the dataset, the manager logged in, k set to 5 (the least allowed). */
async function asManager(k = 5): Promise<TestApp> {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  const app = openApp(copy);
  await loginAs(app, MANAGER);
  await app.ok('settings.updateReports', { ...reportSettings(await app.ok('settings.get', {})), reportK: k });
  return app;
}

const table = (report: Report, id: string): ReportTable => {
  const found = report.tables.find((each) => each.indicatorId === id);
  if (!found) throw new Error(id);
  return found;
};
/** A table's published cells, with the mark standing for suppressed ones. */
/** A CSV as a spreadsheet reads it with the given list separator (quotes respected). */
function parseCsv(text: string, separator: string): string[][] {
  const lines: string[][] = [];
  let field = '';
  let line: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      line.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      line.push(field);
      lines.push(line);
      field = '';
      line = [];
      i++;
    } else field += char;
  }
  return lines;
}
const shown = (t: ReportTable) => t.cells.map((row) => row.map((value) => (value === null ? SUPPRESSED_MARK : value)));

describe('the report of a hand-counted quarter (k = 5)', () => {
  it('counts distinct consenting persons, suppresses small cells and their complements, and passes the LP audit', async () => {
    const app = await asManager();
    const { report, steps } = await runReport(app, { period: Q3_2026 });
    expect(steps).toBe(INDICATORS.length + 2);
    expect(report.period).toMatchObject({ from: '2026-07-01', to: '2026-09-30', dhis2: '2026Q3', adx: '2026-07-01/P3M', label: { vi: 'Quý III năm 2026' } });
    expect(report.clientsWithoutConsent).toBe(1);
    // Rows: female, male, trans women, trans men, other, total; columns: under 18, 18–24, 25–34, 35–49, 50+, total.
    // Women 35–49 (2) is small; the 35–49 total (2) too. Row "women" would then give 35–49
    // away (16 − 6 − 8), so 18–24 (6) goes with it; the total row likewise loses its 18–24 (6).
    expect(shown(table(report, 'persons_reached'))).toEqual([
      [0, 'x', 8, 'x', 0, 16],
      [0, 0, 5, 0, 0, 5],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 'x', 13, 'x', 0, 21],
    ]);
    expect(table(report, 'persons_reached').marks[0]).toEqual(['none', 'complementary', 'none', 'primary', 'none', 'none']);
    expect(shown(table(report, 'persons_registered'))).toEqual(shown(table(report, 'persons_reached')));
    // Twelve anonymous contacts, all women 25–34: nothing small.
    expect(shown(table(report, 'anonymous_contacts'))).toEqual([
      [0, 0, 12, 0, 0, 12],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 12, 0, 0, 12],
    ]);
    // Services: 21 psychological (consenting clients only) and 12 harm-reduction (anonymous).
    const services = table(report, 'services_by_type');
    const row = (key: string) => services.rows.findIndex((each) => each.key === key);
    expect(services.cells[row('psychological_counselling')]).toEqual([21]);
    expect(services.cells[row('harm_reduction_supplies')]).toEqual([12]);
    expect(services.cells[row('total')]).toEqual([33]);
    expect(services.rows.some((each) => each.key === 'child_protection')).toBe(false);
    const groups = table(report, 'persons_by_service_group');
    expect(groups.cells[groups.rows.findIndex((each) => each.key === 'psychological')]).toEqual([21]);
    expect(table(report, 'referrals_by_type').cells.flat().every((value) => value === 0)).toBe(true);
    // Audit: nothing from 1 to 4 is shown; every suppressed range is at least 5 wide.
    for (const each of report.tables) for (const value of each.cells.flat()) expect(value === null || value === 0 || value >= 5).toBe(true);
    expect(report.audit.suppressedCells).toBe(4 + 4);
    expect(report.audit.narrowestRange).toBeGreaterThanOrEqual(5);
    // Counts only: no code, alias or name of anyone.
    const text = JSON.stringify(report);
    for (const word of [PLANTED.alias, PLANTED.legalName, PLANTED.note, ...codes]) expect(text).not.toContain(word);
  });

  it('takes k from the managers\' setting only, never below 5', async () => {
    const app = await asManager();
    // A report cannot bring its own k.
    expect(await app.call('reports.start', { period: Q3_2026, k: 4 } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const settings = await app.ok('settings.get', {});
    expect(await app.call('settings.updateReports', { ...reportSettings(settings), reportK: 4 })).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: 'reportK', message: 'kTooSmall' }] } });
    await app.ok('settings.updateReports', { ...reportSettings(settings), reportK: 22 });
    const { report } = await runReport(app, { period: Q3_2026 });
    expect(report.k).toBe(22);
    // With k = 22 every count of persons reached is small (the largest, the grand total, is 21).
    expect(table(report, 'persons_reached').cells.flat().every((value) => value === 0 || value === null)).toBe(true);
  });
});

const REPORT_KEYS = ['reportK', 'reportParentAgency', 'reportRecipient', 'reportDocumentNumber', 'reportPlace', 'reportSignerTitle', 'reportSignerName', 'dhis2OrgUnit', 'dhis2DataSet', 'dhis2Mapping'] as const;
function reportSettings(settings: CentreSettings): ReportSettings {
  return Object.fromEntries(REPORT_KEYS.map((key) => [key, settings[key]])) as ReportSettings;
}

async function save(app: TestApp, jobId: string, format: ReportFormat, folder: string | null) {
  const result = await app.gate.invoke('reports.save', { jobId, format }, { path: folder ? join(folder, `export.${format}`) : null });
  if (!result.ok) throw new Error(`reports.save failed: ${JSON.stringify(result.error)}`);
  return result.value as { saved: boolean; fileName: string; sha256: string | null; bytes: number };
}

/** Every text part of a file: zip members (XLSX, DOCX) unpacked, anything else as it is. */
async function textsOf(bytes: Buffer): Promise<string> {
  if (bytes.subarray(0, 2).toString('latin1') !== 'PK') return bytes.toString('utf8');
  const zip = await JSZip.loadAsync(bytes);
  const parts = await Promise.all(Object.values(zip.files).map((file) => file.async('string')));
  return parts.join('\n');
}

describe('exports, read back', () => {
  let app: TestApp;
  let report: Report;
  let jobId: string;
  let folder: string;
  beforeAll(async () => {
    app = await asManager();
    const settings = await app.ok('settings.get', {});
    await app.ok('settings.updateReports', {
      ...reportSettings(settings),
      reportSignerName: 'Nguyễn Văn Ký Thử',
      dhis2OrgUnit: 'OU_TEST_01',
      dhis2DataSet: 'DS_TEST',
      dhis2Mapping: JSON.stringify({ 'persons_reached.female.25_34': { dataElement: 'DE_REACHED', categoryOptionCombo: 'COC_F_25_34' }, 'persons_reached.male.total': null }),
    });
    ({ report, jobId } = await runReport(app, { period: Q3_2026 }));
    folder = tempDir('dh-export-');
  });

  const suppressedLabels = () => {
    const reached = table(report, 'persons_reached');
    return { reached, hidden: reached.cells.flatMap((row, r) => row.map((value, c) => ({ value, r, c }))).filter((cell) => cell.value === null) };
  };

  async function exported(format: ReportFormat) {
    const result = await save(app, jobId, format, folder);
    const bytes = readFileSync(join(folder, `export.${format}`));
    expect(result).toMatchObject({ saved: true, fileName: `export.${format}`, folder, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const text = await textsOf(bytes);
    for (const word of [PLANTED.alias, PLANTED.legalName, PLANTED.note, PLANTED.outcome, 'Thử Nghiệm', ...codes]) expect(text, `${format} holds ${word}`).not.toContain(word);
    return { bytes, text };
  }

  it('XLSX: an information sheet and one sheet per table, values as previewed, the mark in suppressed cells', async () => {
    const { bytes } = await exported('xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as never);
    const names = book.worksheets.map((sheet) => sheet.name);
    // Sheets named in Vietnamese words, unique, within Excel's 31 characters; no code names anywhere.
    expect(names.slice(0, 3)).toEqual(['Thông tin', '1. Người được tiếp cận dịch vụ', '2. Người mới đăng ký']);
    expect(names).toHaveLength(report.tables.length + 1);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.length, name).toBeLessThanOrEqual(31);
    const info = book.getWorksheet('Thông tin');
    const facts = Object.fromEntries((info?.getSheetValues() ?? []).filter(Boolean).map((row) => [(row as unknown[])[1], (row as unknown[])[2]]));
    expect(facts['Ngưỡng che số liệu (k)']).toBe('5: mọi ô chỉ có từ 1 đến 4 người hoặc lượt đều bị che');
    expect(facts['Phiên bản định nghĩa chỉ số']).toBe('phiên bản 1 (mọi chỉ số)');
    // The creation time is a date-time cell holding the PC's local wall-clock time, shown dd/mm/yyyy hh:mm.
    const made = new Date(report.generatedAt);
    const created = info?.getRow(7).getCell(2);
    expect(created?.numFmt).toBe('dd/mm/yyyy hh:mm');
    expect((created?.value as Date).toISOString().slice(0, 16)).toBe(
      `${made.getFullYear()}-${String(made.getMonth() + 1).padStart(2, '0')}-${String(made.getDate()).padStart(2, '0')}T${String(made.getHours()).padStart(2, '0')}:${String(made.getMinutes()).padStart(2, '0')}`,
    );
    for (const [index, each] of report.tables.entries()) {
      const sheet = book.worksheets[index + 1];
      expect(JSON.stringify(sheet?.getSheetValues())).not.toContain(each.indicatorId);
      const rows = (sheet?.getSheetValues() ?? []).slice(8, 8 + each.rows.length) as unknown[][];
      expect(rows.map((row) => row.slice(2, 2 + each.columns.length)), each.indicatorId).toEqual(shown(each));
      // Readable on its own: the centre, the period, the unit and the legend are on the sheet.
      const words = JSON.stringify(sheet?.getSheetValues());
      for (const part of ['Đơn vị báo cáo: Trung tâm Thử nghiệm', 'Kỳ báo cáo: Quý III năm 2026 (01/07/2026 – 30/09/2026)', 'Đơn vị tính: ', 'số liệu được che']) expect(words, `${each.indicatorId}: ${part}`).toContain(part);
      // No label cut off: the first column is as wide as its longest label ("Chuyển giới nữ" and the like).
      expect(sheet?.getColumn(1).width ?? 0).toBeGreaterThanOrEqual(Math.min(48, Math.max(...each.rows.map((row) => row.label.vi.length)) + 2));
      // A4, one page wide, the heads repeated on every page; every cell in Times New Roman.
      expect(sheet?.pageSetup).toMatchObject({ paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:7' });
      sheet?.eachRow((row) => row.eachCell((cell) => expect(cell.font?.name, `${each.indicatorId} ${cell.address}`).toBe('Times New Roman')));
    }
    expect(book.worksheets[1]?.getCell('A7').value).toBe('Giới tính / Nhóm tuổi');
  });

  it('CSV: UTF-8 with a byte-order mark, ";" by default or "," as set, headers in words then codes, a row per cell, suppressed cells carry no number', async () => {
    const { reached, hidden } = suppressedLabels();
    const check = (text: string, separator: ';' | ',') => {
      // Read as a spreadsheet set to that list separator reads it: every line splits into the same columns.
      const lines = parseCsv(text.replace(/^\uFEFF/, ''), separator);
      const [words, header] = [lines[0] ?? [], lines[1] ?? []];
      for (const line of lines) expect(line, line.join('|')).toHaveLength(14);
      expect(words.slice(0, 4)).toEqual(['Mã đơn vị', 'Từ ngày', 'Đến ngày', 'Ngưỡng che (k)']);
      expect(header).toEqual(['centre_code', 'period_from', 'period_to', 'k', 'indicator_id', 'indicator_version', 'indicator', 'unit', 'row_key', 'row', 'column_key', 'column', 'value', 'suppressed']);
      // Read with the other separator, a line is one column: the setting matters.
      expect(parseCsv(text.replace(/^\uFEFF/, ''), separator === ';' ? ',' : ';')[2]).toHaveLength(1);
      const at = (name: string) => header.indexOf(name);
      const rows = lines.slice(2);
      const reachedRows = rows.filter((line) => line[at('indicator_id')] === 'persons_reached');
      expect(reachedRows).toHaveLength(36);
      expect(reachedRows[0]?.[at('unit')]).toBe('người');
      for (const { r, c } of hidden) {
        const line = reachedRows.find((each) => each[at('row_key')] === reached.rows[r]?.key && each[at('column_key')] === reached.columns[c]?.key);
        expect(line?.[at('value')]).toBe(SUPPRESSED_MARK);
        expect(line?.[at('suppressed')]).toBe('1');
      }
      expect(reachedRows.find((each) => each[at('row_key')] === 'female' && each[at('column_key')] === 'total')?.[at('value')]).toBe('16');
      // Every line is a cell: no legend disguised as data.
      expect(rows).toHaveLength(report.tables.reduce((sum, each) => sum + each.rows.length * each.columns.length, 0));
    };
    const { bytes, text } = await exported('csv');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    check(text, ';');
    // A centre whose Excel is English sets ",".
    const english = await asManager();
    await english.ok('settings.updateReports', { ...reportSettings(await english.ok('settings.get', {})), reportCsvSeparator: ',' });
    const run = await runReport(english, { period: Q3_2026 });
    const otherFolder = tempDir('dh-export-');
    await save(english, run.jobId, 'csv', otherFolder);
    const comma = readFileSync(join(otherFolder, 'export.csv'));
    expect([...comma.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    check(comma.toString('utf8'), ',');
  });

  it('DOCX: the national heading, agency, number, place and date, title, recipient, the tables and the signature block', async () => {
    const { text } = await exported('docx');
    const words = text.replace(/<[^>]+>/g, '');
    for (const part of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'SỞ Y TẾ', 'THÀNH\u00a0PHỐ\u00a0HỒ\u00a0CHÍ\u00a0MINH', 'TRUNG TÂM THỬ NGHIỆM', 'Số: …/BC-TTCTXH', 'Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2026', 'BÁO CÁO', 'quý III năm 2026', 'Giới tính / Nhóm tuổi', 'Đơn vị tính: người', 'Định nghĩa các chỉ số: phiên bản 1 (mọi chỉ số).', 'Kính gửi: Sở Y tế Thành phố Hồ Chí Minh.', 'Nơi nhận:', 'GIÁM ĐỐC', 'Nguyễn Văn Ký Thử', report.tables[0]?.label.vi ?? '-']) {
      expect(words, part).toContain(part);
    }
    // The persons-reached table as Word holds it: row label, then its cells.
    expect(words).toContain(`Nữ0${SUPPRESSED_MARK}8${SUPPRESSED_MARK}016`);
    expect(words).toContain(`Tổng0${SUPPRESSED_MARK}13${SUPPRESSED_MARK}021`);
    // No code names, no instruction that is not part of the format; the text is tagged Vietnamese.
    for (const each of report.tables) expect(words, each.indicatorId).not.toContain(each.indicatorId);
    expect(words).not.toContain('(Ký, ghi rõ họ tên, đóng dấu)');
    expect(words).not.toMatch(/quý iii/);
    expect(text).toMatch(/<w:lang w:val="vi-VN"\/>/);
  });

  it('DHIS2 JSON and ADX: published cells only, with the default codes or the mapping, for the org unit and period', async () => {
    const json = JSON.parse((await exported('dhis2_json')).text) as { dataSet: string; period: string; orgUnit: string; dataValues: { dataElement: string; categoryOptionCombo: string; value: string; period: string }[] };
    // The payload names its identifier scheme: DHIS2 reads the codes without import parameters.
    expect(json).toMatchObject({ idScheme: 'CODE', dataSetIdScheme: 'CODE', dataElementIdScheme: 'CODE', orgUnitIdScheme: 'CODE', dataSet: 'DS_TEST', period: '2026Q3', orgUnit: 'OU_TEST_01' });
    const published = report.tables.flatMap((each) => each.cells.flat()).filter((value) => value !== null).length;
    // One cell mapped to nothing; every suppressed cell left out.
    expect(json.dataValues).toHaveLength(published - 1);
    expect(json.dataValues).toContainEqual({ dataElement: 'DE_REACHED', categoryOptionCombo: 'COC_F_25_34', value: '8', period: '2026Q3', orgUnit: 'OU_TEST_01' });
    // Totals go under data elements of their own; DHIS2 adds a data element's combos, so no total
    // may sit beside its parts.
    expect(json.dataValues).toContainEqual(expect.objectContaining({ dataElement: 'DH_PERSONS_REACHED_TOTAL', categoryOptionCombo: 'default', value: '21' }));
    expect(json.dataValues).toContainEqual(expect.objectContaining({ dataElement: 'DH_PERSONS_REACHED_BY_SEX', categoryOptionCombo: 'FEMALE', value: '16' }));
    for (const value of json.dataValues) expect(value.categoryOptionCombo, value.dataElement).not.toMatch(/(^|_)TOTAL$/);
    const combosOf = new Map<string, Set<string>>();
    for (const value of json.dataValues) combosOf.set(value.dataElement, (combosOf.get(value.dataElement) ?? new Set()).add(value.categoryOptionCombo));
    for (const [element, combos] of combosOf) if (combos.has('default')) expect([...combos], element).toEqual(['default']);
    expect(json.dataValues.some((value) => value.dataElement === 'DH_PERSONS_REACHED' && value.categoryOptionCombo === 'FEMALE_35_49')).toBe(false);
    expect(json.dataValues.some((value) => value.dataElement === 'DH_PERSONS_REACHED_BY_SEX' && value.categoryOptionCombo === 'MALE')).toBe(false);

    const adxText = (await exported('adx')).text;
    // Valid against the ADX schema as published (test/fixtures/adx), read by a real xmllint.
    const schemaFile = (name: string) => ({ fileName: name, contents: readFileSync(new URL(`../fixtures/adx/${name}`, import.meta.url), 'utf8') });
    const validation = await validateXML({
      xml: { fileName: 'export.xml', contents: adxText },
      schema: schemaFile('adx_loose.xsd'),
      preload: ['sdmx/SDMXCommon.xsd', 'sdmx/SDMXCommonReferences.xsd', 'sdmx/xml.xsd'].map(schemaFile),
    });
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    // The schema is really read: a document without its required attributes fails it.
    const broken = await validateXML({ xml: { fileName: 'broken.xml', contents: adxText.replace(/ exported="[^"]*"/, '') }, schema: schemaFile('adx_loose.xsd'), preload: ['sdmx/SDMXCommon.xsd', 'sdmx/SDMXCommonReferences.xsd', 'sdmx/xml.xsd'].map(schemaFile) });
    expect(broken.valid).toBe(false);
    const adx = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(adxText) as {
      adx: { xmlns: string; group: { orgUnit: string; period: string; dataSet: string; dataValue: { dataElement: string; categoryOptionCombo: string; value: string }[] } };
    };
    expect(adx.adx.xmlns).toBe('urn:ihe:qrph:adx:2015');
    expect(adx.adx.group).toMatchObject({ orgUnit: 'OU_TEST_01', period: '2026-07-01/P3M', dataSet: 'DS_TEST' });
    expect(adx.adx.group.dataValue.map((value) => `${value.dataElement}/${value.categoryOptionCombo}=${value.value}`).sort()).toEqual(
      json.dataValues.map((value) => `${value.dataElement}/${value.categoryOptionCombo}=${value.value}`).sort(),
    );
  });

  it('logs every export: who, when, period, format, k and the SHA-256 of the file', async () => {
    const log = await app.ok('reports.log', {});
    expect(log.total).toBe(5);
    for (const row of log.rows) {
      // These were saved under names typed in the dialog ("export.…"): not recorded, since a typed name could name a person.
      expect(row).toMatchObject({ userName: MANAGER.displayName, from: '2026-07-01', to: '2026-09-30', periodLabel: 'Quý III năm 2026', k: 5, fileName: '' });
      expect(row.sha256).toBe(createHash('sha256').update(readFileSync(join(folder, `export.${row.format}`))).digest('hex'));
    }
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const audit = await app.ok('audit.list', { action: 'reports.save' });
    expect(audit.rows).toHaveLength(5);
    const xlsx = audit.rows.find((row) => row.detail?.format === 'xlsx');
    expect(xlsx).toMatchObject({ outcome: 'ok', targetType: 'report', detail: { k: 5, from: '2026-07-01', to: '2026-09-30', sha256: log.rows.find((row) => row.format === 'xlsx')?.sha256 } });
    await app.ok('auth.logout', {});
    await loginAs(app, MANAGER);
  });
});

describe('what a report refuses', () => {
  it('writes nothing when the save dialog is cancelled, and says so in the trail', async () => {
    const app = await asManager();
    const { jobId } = await runReport(app, { period: Q3_2026 });
    const folder = tempDir('dh-export-');
    expect(await save(app, jobId, 'xlsx', null)).toMatchObject({ saved: false, sha256: null });
    // A path in the input itself is not accepted: only the shell names one.
    expect(await app.call('reports.save', { jobId, format: 'xlsx', path: join(folder, 'x.xlsx') } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(readdirSync(folder)).toEqual([]);
    expect((await app.ok('reports.log', {})).total).toBe(0);
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const trail = await app.ok('audit.list', { action: 'reports.save' });
    expect(trail.rows.map((each) => [each.outcome, each.detail?.cancelled ?? null, each.detail?.sha256 ?? null])).toEqual([['ok', true, null]]);
  });

  it('records the name of a saved file only when it is the name the app offered', async () => {
    const app = await asManager();
    const { jobId } = await runReport(app, { period: Q3_2026 });
    const folder = tempDir('dh-export-');
    // What the dialog offers (neutral: the centre, the period, the format).
    const offered = (await save(app, jobId, 'csv', null)).fileName;
    const result = await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, offered) });
    expect(result).toMatchObject({ ok: true, value: { saved: true, fileName: offered } });
    await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'bao-cao-cho-chi-Lan.csv') });
    expect((await app.ok('reports.log', {})).rows.map((row) => row.fileName).sort()).toEqual(['', offered].sort());
  });

  it('refuses a report whose published cells fail the audit, and writes nothing', async () => {
    const app = await asManager();
    const { jobId } = await runReport(app, { period: Q3_2026 });
    const published = app.core.reportJob?.report?.tables[0];
    if (!published?.cells[0]) throw new Error('no report');
    const folder = tempDir('dh-export-');
    const before = contentSnapshot(app);
    // As if suppression had let its complement through: women 18–24 (6, not small) shown. Then
    // women 35–49 = 16 − 6 − 8 = 2 exactly: only the LP sees it.
    published.cells[0][1] = 6;
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'x.csv') })).toEqual({ ok: false, error: { code: 'REPORT_AUDIT_FAILED' } });
    // As if a small cell itself had got through: women 35–49 (2) shown.
    published.cells[0][1] = null;
    published.cells[0][3] = 2;
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'x.csv') })).toEqual({ ok: false, error: { code: 'REPORT_AUDIT_FAILED' } });
    expect(readdirSync(folder)).toEqual([]);
    expect(contentSnapshot(app)).toBe(before);
  });

  it('refuses DHIS2 formats for a period DHIS2 has no name for, or without an org unit and a data set', async () => {
    const app = await asManager();
    const folder = tempDir('dh-export-');
    const months = await runReport(app, { period: { kind: 'months', from: '2026-07', to: '2026-08' } });
    expect(await app.gate.invoke('reports.save', { jobId: months.jobId, format: 'dhis2_json' }, { path: join(folder, 'x.json') })).toEqual({ ok: false, error: { code: 'DHIS2_PERIOD_UNSUPPORTED' } });
    const quarter = await runReport(app, { period: Q3_2026 });
    expect(await app.gate.invoke('reports.save', { jobId: quarter.jobId, format: 'adx' }, { path: join(folder, 'x.xml') })).toEqual({ ok: false, error: { code: 'DHIS2_MAPPING_INVALID' } });
    // The org unit alone is not enough: without the data set nothing is sent either.
    await app.ok('settings.updateReports', { ...reportSettings(await app.ok('settings.get', {})), dhis2OrgUnit: 'OU_TEST_01' });
    expect(await app.gate.invoke('reports.save', { jobId: quarter.jobId, format: 'dhis2_json' }, { path: join(folder, 'x.json') })).toEqual({ ok: false, error: { code: 'DHIS2_MAPPING_INVALID' } });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a folder that cannot be written: a clear error, no file, no log entry', async () => {
    const app = await asManager();
    const { jobId } = await runReport(app, { period: Q3_2026 });
    const folder = tempDir('dh-export-');
    const before = contentSnapshot(app);
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'khong-co', 'x.csv') })).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(readdirSync(folder)).toEqual([]);
    expect(contentSnapshot(app)).toBe(before);
    expect((await app.ok('reports.log', {})).total).toBe(0);
  });

  it('a file that cannot be put in its place after the log is committed: no file, no log entry, the failure in the trail', async () => {
    const app = await asManager();
    const { jobId } = await runReport(app, { period: Q3_2026 });
    const folder = tempDir('dh-export-');
    // Something (a folder) already stands where the file should go, so the final rename fails.
    mkdirSync(join(folder, 'x.csv', 'ben-trong'), { recursive: true });
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'x.csv') })).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(readdirSync(folder)).toEqual(['x.csv']);
    expect(readdirSync(join(folder, 'x.csv'))).toEqual(['ben-trong']);
    expect((await app.ok('reports.log', {})).total).toBe(0);
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const trail = await app.ok('audit.list', { action: 'reports.save' });
    expect(trail.rows.map((row) => [row.outcome, row.errorCode])).toEqual([
      ['failed', 'STORAGE_FAILED'],
      ['ok', null],
    ]);
  });

  it('forgets the job when cancelled or when the vault locks', async () => {
    const app = await asManager();
    const { jobId } = await app.ok('reports.start', { period: Q3_2026 });
    await app.ok('reports.next', { jobId });
    await app.ok('reports.cancel', { jobId });
    expect(await app.call('reports.next', { jobId })).toEqual({ ok: false, error: { code: 'REPORT_NOT_FOUND' } });
    const again = await runReport(app, { period: Q3_2026 });
    await app.ok('auth.lock', {});
    await loginAs(app, MANAGER);
    expect(await app.call('reports.save', { jobId: again.jobId, format: 'csv' })).toEqual({ ok: false, error: { code: 'REPORT_NOT_FOUND' } });
  });

  it('workers and administrators cannot build reports', async () => {
    const app = await asManager();
    for (const person of [WORKER, ADMIN]) {
      await app.ok('auth.logout', {});
      await loginAs(app, person);
      expect(await app.call('reports.start', { period: Q3_2026 })).toEqual({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });
});
