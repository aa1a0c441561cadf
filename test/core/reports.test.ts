import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import { validateXML } from 'xmllint-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDICATORS, SUPPRESSED_MARK, type CentreSettings, type Report, type ReportFormat, type ReportSettings, type ReportTable } from '../../electron/contract/index.ts';
import { ADMIN, copyOfApp, copyOfTemplate, loginAs, MANAGER, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';
import { REPORT_JOB } from '../../electron/core/reports/jobs.ts';
import { buildReportDataset, PLANTED, Q3_2026, runReport } from '../support/report-data.ts';
import { contentSnapshot } from '../support/db-snapshot.ts';
import { pushIdCounter } from '../support/store-under-test.ts';
import { style, textWidth, unmeasured } from '../../electron/core/reports/exports/text-width.ts';

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
  const app = await copyOfApp(dir);
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

  it('counts the same when the clients\' numbers run into the millions (a large centre, or one moved up to a server)', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    // Past 65,536 a number times 32,768 no longer fits a server's 32-bit integer.
    await pushIdCounter(app.core.vault, 'client', 3_000_000);
    const built = await buildReportDataset(app);
    await loginAs(app, MANAGER);
    await app.ok('settings.updateReports', { ...reportSettings(await app.ok('settings.get', {})), reportK: 5 });
    const { report } = await runReport(app, { period: Q3_2026 });
    const registered = await app.ok('clients.list', { status: 'all' });
    expect(registered.rows.filter((row) => row.id > 3_000_000)).toHaveLength(built.codes.length);
    const expected = (await runReport(await asManager(), { period: Q3_2026 })).report;
    expect(report.clientsWithoutConsent).toBe(1);
    for (const each of expected.tables) expect(shown(table(report, each.indicatorId)), each.indicatorId).toEqual(shown(each));
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
/** The report settings as they are, with their version: a change to save. */
function reportSettings(settings: CentreSettings): ReportSettings & { version: string } {
  return { ...(Object.fromEntries(REPORT_KEYS.map((key) => [key, settings[key]])) as ReportSettings), version: settings.versions.reports };
}

async function save(app: TestApp, jobId: string, format: ReportFormat, folder: string | null) {
  const result = await app.gate.invoke('reports.save', { jobId, format }, { path: folder ? join(folder, `export.${format}`) : null });
  if (!result.ok) throw new Error(`reports.save failed: ${JSON.stringify(result.error)}`);
  return result.value as { saved: boolean; fileName: string; sha256: string | null; bytes: number };
}

/** A schema file from test/fixtures/adx, as the validator takes it. */
const adxSchema = (name: string) => ({ fileName: name, contents: readFileSync(new URL(`../fixtures/adx/${name}`, import.meta.url), 'utf8') });

/** The top-level tables of a Word document's body (they do not nest here). */
const docxTables = (xml: string) => [...xml.matchAll(/<w:tbl>(.*?)<\/w:tbl>/gs)].map((match) => match[1] ?? '');
const unescapeXml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Each paragraph's text, its first run's size (pt), weight and slant, its indents (twips), and whether it is a bare rule. */
function docxParagraphs(xml: string) {
  return [...xml.matchAll(/<w:p>(.*?)<\/w:p>|<w:p\/>/gs)].map((match) => {
    const body = match[1] ?? '';
    const properties = /<w:pPr>(.*?)<\/w:pPr>/s.exec(body)?.[1] ?? '';
    const firstRun = /<w:rPr>(.*?)<\/w:rPr>/s.exec(body.replace(properties, ''))?.[1] ?? '';
    const text = unescapeXml([...body.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((each) => each[1]).join(''));
    return {
      text,
      size: Number(/<w:sz w:val="(\d+)"\/>/.exec(firstRun)?.[1] ?? 26) / 2,
      bold: /<w:b\/>/.test(firstRun),
      italics: /<w:i\/>/.test(firstRun),
      indentLeft: Number(/<w:ind [^>]*w:left="(\d+)"/.exec(properties)?.[1] ?? 0),
      indentRight: Number(/<w:ind [^>]*w:right="(\d+)"/.exec(properties)?.[1] ?? 0),
      rule: /<w:pBdr>\s*<w:bottom w:val="single"/.test(properties) && !text.trim(),
    };
  });
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
    const { bytes, text } = await exported('docx');
    const words = unescapeXml(text.replace(/<[^>]+>/g, ''));
    for (const part of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'SỞ Y TẾ', 'THÀNH PHỐ HỒ CHÍ MINH', 'TRUNG TÂM THỬ NGHIỆM', 'Số: …/BC-TTTN', 'Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2026', 'BÁO CÁO', 'quý III năm 2026', 'Giới tính / Nhóm tuổi', 'Đơn vị tính: người', 'Kính gửi: Sở Y tế Thành phố Hồ Chí Minh.', 'Nơi nhận:', 'GIÁM ĐỐC', 'Nguyễn Văn Ký Thử', report.tables[0]?.label.vi ?? '-']) {
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

    const zip = await JSZip.loadAsync(bytes);
    const documentXml = (await zip.file('word/document.xml')?.async('string')) ?? '';
    // The heading: no line wider than its cell at its size, measured with the font's metrics;
    // the national heading and the date at 13 pt, the agency and the unit at 12 pt.
    const heading = docxTables(documentXml)[0] ?? '';
    const grid = [...heading.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((match) => Number(match[1]));
    const margin = (side: string) => Number(new RegExp(`<w:tblCellMar>.*?<w:${side} w:type="dxa" w:w="(\\d+)"/>`).exec(heading)?.[1] ?? 108);
    expect(grid.reduce((sum, width) => sum + width, 0)).toBe(Math.floor(165 * 56.7));
    const cells = [...heading.matchAll(/<w:tc>(.*?)<\/w:tc>/g)].map((match) => docxParagraphs(match[1] ?? ''));
    const seen: string[] = [];
    for (const [index, paragraphs] of cells.entries()) {
      for (const each of paragraphs) {
        if (!each.text) continue;
        seen.push(each.text);
        const room = ((grid[index] ?? 0) - margin('left') - margin('right') - each.indentLeft - each.indentRight) / 20;
        expect(textWidth(each.text, each.size, style(each.bold, each.italics)), `"${each.text}" at ${each.size} pt in ${room} pt`).toBeLessThanOrEqual(room);
        expect(unmeasured(each.text), each.text).toEqual([]);
      }
    }
    const sizeOf = (line: string) => cells.flat().find((each) => each.text === line)?.size;
    expect(seen).toEqual(['SỞ Y TẾ', 'THÀNH PHỐ HỒ CHÍ MINH', 'TRUNG TÂM THỬ NGHIỆM', 'Số: …/BC-TTTN', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2026']);
    expect([sizeOf('SỞ Y TẾ'), sizeOf('TRUNG TÂM THỬ NGHIỆM'), sizeOf('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'), sizeOf('Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2026')]).toEqual([12, 12, 13, 13]);
    // The short rules, under the unit's name and under the title's summary: 1/3 to 1/2 of the
    // text above them, centred.
    const ruleUnder = (paragraphs: ReturnType<typeof docxParagraphs>, space: number) => {
      const at = paragraphs.findIndex((each) => each.rule);
      const above = paragraphs[at - 1];
      const ruleAt = paragraphs[at];
      if (!above || !ruleAt) throw new Error('no rule');
      const length = (space - ruleAt.indentLeft - ruleAt.indentRight) / 20;
      const share = length / textWidth(above.text, above.size, style(above.bold, above.italics));
      expect(share, above.text).toBeGreaterThanOrEqual(1 / 3);
      expect(share, above.text).toBeLessThanOrEqual(1 / 2);
      expect(Math.abs(ruleAt.indentLeft - ruleAt.indentRight)).toBeLessThanOrEqual(1);
      return above.text;
    };
    expect(ruleUnder(cells[0] ?? [], (grid[0] ?? 0) - margin('left') - margin('right'))).toBe('TRUNG TÂM THỬ NGHIỆM');
    const bodyParagraphs = docxParagraphs(documentXml.replace(/<w:tbl>.*?<\/w:tbl>/gs, ''));
    expect(ruleUnder(bodyParagraphs, Math.floor(165 * 56.7))).toBe('Số liệu tổng hợp hoạt động hỗ trợ quý III năm 2026');
    // Pages from the second on are numbered at the top, centred, 13 pt; the first page has no number.
    expect(documentXml).toContain('<w:titlePg/>');
    const relations = (await zip.file('word/_rels/document.xml.rels')?.async('string')) ?? '';
    const headerOf = async (type: string) => {
      const id = new RegExp(`<w:headerReference w:type="${type}" r:id="([^"]+)"/>`).exec(documentXml)?.[1];
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(relations)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${id}"`).exec(relations)?.[1];
      return (await zip.file(`word/${target}`)?.async('string')) ?? '';
    };
    const numbered = await headerOf('default');
    expect(numbered).toMatch(/<w:instrText[^>]*>PAGE<\/w:instrText>/);
    expect(numbered).toContain('<w:jc w:val="center"/>');
    expect(numbered).toContain('<w:sz w:val="26"/>');
    const first = await headerOf('first');
    expect(first).toContain('<w:hdr');
    expect(first).not.toContain('PAGE');
    // The signer from the settings, with four empty lines for the signature and the seal.
    const signature = docxTables(documentXml).find((each) => each.includes('Nơi nhận:')) ?? '';
    expect(docxParagraphs(signature).map((each) => each.text).slice(-6)).toEqual(['GIÁM ĐỐC', '', '', '', '', 'Nguyễn Văn Ký Thử']);
    expect(signature).toContain('<w:cantSplit/>');
    // The annex: each indicator in words with its definition, unit and version, and the trail's
    // last entry before this export, to which the export's own entry chains.
    const annex = words.slice(words.indexOf('PHỤ LỤC'));
    for (const each of report.tables) for (const part of [each.label.vi, each.definition.vi]) expect(annex, part).toContain(part);
    const trail = await app.core.vault.db.selectFrom('audit_event').select(['id', 'prev_hash', 'detail']).where('action', '=', 'reports.save').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(JSON.parse(trail.detail ?? '{}')).toMatchObject({ format: 'docx' });
    expect(annex).toContain(`mục số ${trail.id - 1} có mã SHA-256`);
    expect(annex).toContain(trail.prev_hash);
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

  it('standard ADX: SEX and AGE attributes declared in an SDMX 2.1 data structure saved beside it, no total beside its parts', async () => {
    const adxText = (await exported('adx_sdmx')).text;
    const loose = await validateXML({ xml: { fileName: 'standard.xml', contents: adxText }, schema: adxSchema('adx_loose.xsd'), preload: ['sdmx/SDMXCommon.xsd', 'sdmx/SDMXCommonReferences.xsd', 'sdmx/xml.xsd'].map(adxSchema) });
    expect(loose.errors).toEqual([]);
    const dsdText = (await exported('adx_dsd')).text;
    // The structure is a valid SDMX 2.1 structure message, read against the SDMX schemas themselves.
    const sdmx = readdirSync(new URL('../fixtures/adx/sdmx/', import.meta.url)).filter((name) => name !== 'SDMXMessage.xsd').map((name) => adxSchema(`sdmx/${name}`));
    const structure = await validateXML({ xml: { fileName: 'structure.xml', contents: dsdText }, schema: adxSchema('sdmx/SDMXMessage.xsd'), preload: sdmx });
    expect(structure.errors).toEqual([]);
    expect(structure.valid).toBe(true);
    // The SDMX schemas are really read: a code list without its name fails them.
    const unnamed = await validateXML({ xml: { fileName: 'structure.xml', contents: dsdText.replace(/(<str:Codelist id="CL_SEX"[^>]*>)\s*<com:Name xml:lang="vi">[^<]*<\/com:Name>\s*<com:Name xml:lang="en">[^<]*<\/com:Name>/, '$1') }, schema: adxSchema('sdmx/SDMXMessage.xsd'), preload: sdmx });
    expect(unnamed.valid).toBe(false);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['dataValue', 'str:Codelist', 'str:Code', 'str:Dimension'].includes(name) });
    const dsd = parser.parse(dsdText) as {
      'mes:Structure': { 'mes:Structures': { 'str:Codelists': { 'str:Codelist': { id: string; 'str:Code': { id: string }[] }[] }; 'str:DataStructures': { 'str:DataStructure': { 'str:DataStructureComponents': { 'str:DimensionList': { 'str:Dimension': { id: string }[] } } } } } };
    };
    const structures = dsd['mes:Structure']['mes:Structures'];
    const codes = new Map(structures['str:Codelists']['str:Codelist'].map((list) => [list.id, new Set(list['str:Code'].map((each) => each.id))]));
    const dimensions = structures['str:DataStructures']['str:DataStructure']['str:DataStructureComponents']['str:DimensionList']['str:Dimension'].map((each) => each.id);
    expect(dimensions).toEqual(['dataElement', 'orgUnit', 'SEX', 'AGE']);
    expect([...(codes.get('CL_SEX') ?? [])]).toEqual(['F', 'M', 'TGW', 'TGM', 'O']);
    expect([...(codes.get('CL_AGE') ?? [])]).toEqual(['Y_LT18', 'Y18T24', 'Y25T34', 'Y35T49', 'Y_GE50']);
    expect([...(codes.get('CL_ORG_UNIT') ?? [])]).toEqual(['OU_TEST_01']);
    // Every cell's element is declared, suppressed or not: the structure does not tell which were hidden.
    expect(codes.get('CL_DATA_ELEMENT')?.has('DH_PERSONS_REACHED')).toBe(true);
    const adx = parser.parse(adxText) as { adx: { group: { orgUnit: string; period: string; dataSet: string; dataValue: Record<string, string>[] } } };
    expect(adx.adx.group).toMatchObject({ orgUnit: 'OU_TEST_01', period: '2026-07-01/P3M', dataSet: 'DS_TEST' });
    const values = adx.adx.group.dataValue;
    const published = report.tables.flatMap((each) => each.cells.flat()).filter((value) => value !== null).length;
    expect(values).toHaveLength(published);
    const breakdownsOf = new Map<string, Set<string>>();
    for (const value of values) {
      // Only declared dimensions, with values from their code lists; no DHIS2 combo.
      expect(Object.keys(value).filter((name) => !['dataElement', 'SEX', 'AGE', 'value'].includes(name)), JSON.stringify(value)).toEqual([]);
      expect(codes.get('CL_DATA_ELEMENT')?.has(value.dataElement ?? ''), value.dataElement).toBe(true);
      if (value.SEX) expect(codes.get('CL_SEX')?.has(value.SEX)).toBe(true);
      if (value.AGE) expect(codes.get('CL_AGE')?.has(value.AGE)).toBe(true);
      const element = value.dataElement ?? '';
      breakdownsOf.set(element, (breakdownsOf.get(element) ?? new Set()).add(`${value.SEX ? 'SEX' : ''}/${value.AGE ? 'AGE' : ''}`));
    }
    // Each data element has one breakdown: a total never sits beside its parts.
    for (const [element, kinds] of breakdownsOf) expect([...kinds], element).toHaveLength(1);
    expect(values).toContainEqual({ dataElement: 'DH_PERSONS_REACHED', SEX: 'F', AGE: 'Y25T34', value: '8' });
    expect(values).toContainEqual({ dataElement: 'DH_PERSONS_REACHED_BY_SEX', SEX: 'F', value: '16' });
    expect(values).toContainEqual({ dataElement: 'DH_PERSONS_REACHED_TOTAL', value: '21' });
    // Suppressed: women 35–49 and 18–24 are not sent.
    expect(values.some((value) => value.dataElement === 'DH_PERSONS_REACHED' && value.SEX === 'F' && (value.AGE === 'Y35T49' || value.AGE === 'Y18T24'))).toBe(false);
  });

  it('logs every export: who, when, period, format, k and the SHA-256 of the file', async () => {
    const log = await app.ok('reports.log', {});
    expect(log.total).toBe(7);
    for (const row of log.rows) {
      // These were saved under names typed in the dialog ("export.…"): not recorded, since a typed name could name a person.
      expect(row).toMatchObject({ userName: MANAGER.displayName, from: '2026-07-01', to: '2026-09-30', periodLabel: 'Quý III năm 2026', k: 5, fileName: '' });
      expect(row.sha256).toBe(createHash('sha256').update(readFileSync(join(folder, `export.${row.format}`))).digest('hex'));
    }
    await app.ok('auth.logout', {});
    await loginAs(app, ADMIN);
    const audit = await app.ok('audit.list', { action: 'reports.save' });
    expect(audit.rows).toHaveLength(7);
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
    const published = app.core.state.get(REPORT_JOB)?.report?.tables[0];
    if (!published?.cells[0]) throw new Error('no report');
    const folder = tempDir('dh-export-');
    const before = await contentSnapshot(app);
    // As if suppression had let its complement through: women 18–24 (6, not small) shown. Then
    // women 35–49 = 16 − 6 − 8 = 2 exactly: only the LP sees it.
    published.cells[0][1] = 6;
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'x.csv') })).toEqual({ ok: false, error: { code: 'REPORT_AUDIT_FAILED' } });
    // As if a small cell itself had got through: women 35–49 (2) shown.
    published.cells[0][1] = null;
    published.cells[0][3] = 2;
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'x.csv') })).toEqual({ ok: false, error: { code: 'REPORT_AUDIT_FAILED' } });
    expect(readdirSync(folder)).toEqual([]);
    expect(await contentSnapshot(app)).toBe(before);
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
    const before = await contentSnapshot(app);
    expect(await app.gate.invoke('reports.save', { jobId, format: 'csv' }, { path: join(folder, 'khong-co', 'x.csv') })).toEqual({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(readdirSync(folder)).toEqual([]);
    expect(await contentSnapshot(app)).toBe(before);
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
