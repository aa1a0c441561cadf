import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportFormat } from '../../electron/contract/index.ts';
import { REPORT_JOB } from '../../electron/core/reports/jobs.ts';
import { buildReportDataset, Q3_2026, runReport } from '../support/report-data.ts';
import { copyOfTemplate, loginAs, MANAGER, tempDir, type TestApp } from '../support/vault-fixture.ts';

/*
 * The Word and Excel reports as a real office program draws them: LibreOffice (headless) turns
 * each into PDF, poppler's pdftotext reads each page's lines back and pdftoppm draws each page
 * as PNG under test-results/report-render/, to be looked at. LibreOffice and the Liberation
 * fonts (metric-compatible with Times New Roman) come from Debian; `.ci/run` installs them.
 */

const SOFFICE = process.env.SOFFICE_PATH ?? '/usr/bin/soffice';
const OUT = resolve('test-results/report-render');

/** The PDF of an office file, drawn by LibreOffice in a profile of its own. */
function toPdf(file: string): string {
  const profile = tempDir('dh-lo-');
  execFileSync(SOFFICE, [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', OUT, file], { stdio: 'pipe', timeout: 120_000 });
  rmSync(profile, { recursive: true, force: true });
  return file.replace(/\.[a-z]+$/, '.pdf');
}

const pageCount = (pdf: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1] ?? 0);
/** One page's lines as laid out (columns side by side stay on one line). */
const pageLines = (pdf: string, page: number) =>
  execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.replace(/\f/g, '').trimEnd())
    .filter((line) => line.trim());
/** One page's words with their boxes, in points from the top left. */
function pageWords(pdf: string, page: number): { text: string; x: number; y: number; right: number }[] {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((match) => ({
    x: Number(match[1]),
    y: Number(match[2]),
    right: Number(match[3]),
    text: match[4] ?? '',
  }));
}
const MM = 72 / 25.4;
/** Every page as PNG beside the PDF. */
const drawPages = (pdf: string) => execFileSync('pdftoppm', ['-r', '60', '-png', pdf, pdf.replace(/\.pdf$/, '')]);

let app: TestApp;
let jobId: string;
beforeAll(async () => {
  if (!existsSync(SOFFICE)) throw new Error(`LibreOffice is needed at ${SOFFICE} (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2; elsewhere set SOFFICE_PATH)`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  app = await copyOfTemplate();
  await buildReportDataset(app);
  await loginAs(app, MANAGER);
  const settings = await app.ok('settings.get', {});
  await app.ok('settings.updateReports', {
    reportK: 5,
    reportParentAgency: settings.reportParentAgency,
    reportRecipient: settings.reportRecipient,
    reportDocumentNumber: settings.reportDocumentNumber,
    reportPlace: settings.reportPlace,
    reportSignerTitle: settings.reportSignerTitle,
    reportSignerName: 'Nguyễn Văn Ký Thử',
    dhis2OrgUnit: '',
    dhis2DataSet: '',
    dhis2Mapping: '{}',
    version: settings.versions.reports,
  });
  ({ jobId } = await runReport(app, { period: Q3_2026 }));
});

async function saved(format: ReportFormat): Promise<string> {
  const path = join(OUT, `bao-cao-${format === 'docx' ? 'word' : 'excel'}.${format}`);
  const result = await app.gate.invoke('reports.save', { jobId, format }, { path });
  expect(result.ok).toBe(true);
  return path;
}

describe('the report files, drawn by LibreOffice', () => {
  it('Word: the heading lines unbroken, pages from the second numbered at the top, the signer, the annex with the trail hash', async () => {
    const pdf = toPdf(await saved('docx'));
    drawPages(pdf);
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    const first = pageLines(pdf, 1);
    const text = first.join('\n');
    // Each heading line on one line of its own, the two columns side by side.
    expect(first.find((line) => line.includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'))).toMatch(/^\s*SỞ Y TẾ\s{2,}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM$/);
    for (const line of ['THÀNH PHỐ HỒ CHÍ MINH', 'TRUNG TÂM THỬ NGHIỆM', 'Độc lập - Tự do - Hạnh phúc', 'Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2026', 'Số: …/BC-TTTN', 'Số liệu tổng hợp hoạt động hỗ trợ quý III năm 2026']) {
      expect(text, line).toContain(line);
    }
    // No page number on the first page; on every later one its number is the topmost word, in
    // the top margin (20 mm), centred over the text (30 mm from the left, 15 mm from the right).
    const topmost = (page: number) => pageWords(pdf, page).sort((a, b) => a.y - b.y)[0];
    expect(topmost(1)?.text).toBe('SỞ');
    for (let page = 2; page <= pages; page++) {
      const number = topmost(page);
      expect(number?.text, `page ${page}`).toBe(String(page));
      expect(number?.y ?? 99, `page ${page} in the top margin`).toBeLessThan(20 * MM);
      expect(Math.abs(((number?.x ?? 0) + (number?.right ?? 0)) / 2 - ((30 + 195) / 2) * MM), `page ${page} centred`).toBeLessThan(3);
    }
    const texts = Array.from({ length: pages }, (_, index) => pageLines(pdf, index + 1).join('\n'));
    const all = texts.join('\n');
    // The signature block on one page: the signer's title, the space, the name.
    const signed = texts.find((page) => page.includes('Nơi nhận:')) ?? '';
    expect(signed).toMatch(/GIÁM ĐỐC/);
    expect(signed).toContain('Nguyễn Văn Ký Thử');
    expect(all).toContain('PHỤ LỤC');
    const trail = await latestTrailHash();
    expect(all.replace(/\s+/g, '')).toContain(trail);
    expect(readdirSync(OUT).filter((name) => name.startsWith('bao-cao-word') && name.endsWith('.png')).length).toBeGreaterThanOrEqual(pages);
  });

  it('Excel: every sheet one page wide on A4, its heads and legend printed, no label cut', async () => {
    const pdf = toPdf(await saved('xlsx'));
    drawPages(pdf);
    const pages = pageCount(pdf);
    const report = app.core.state.get(REPORT_JOB)?.report;
    if (!report) throw new Error('no report');
    // One page per sheet: nothing spills onto a page of its own.
    expect(pages).toBe(report.tables.length + 1);
    const info = pageLines(pdf, 1).join('\n');
    expect(info).toContain('BÁO CÁO SỐ LIỆU TỔNG HỢP');
    for (const [index, table] of report.tables.entries()) {
      const page = pageLines(pdf, index + 2).join('\n');
      expect(page, table.indicatorId).toContain('Kỳ báo cáo: Quý III năm 2026');
      for (const row of table.rows) expect(page, `${table.indicatorId}: ${row.label.vi}`).toContain(row.label.vi);
    }
  });
});

/** The trail's last entry before the Word file's own (the one the file names). */
async function latestTrailHash(): Promise<string> {
  const rows = await app.core.vault.db.selectFrom('audit_event').select(['id', 'action', 'prev_hash']).where('action', '=', 'reports.save').orderBy('id', 'asc').execute();
  const docx = rows[0];
  if (!docx) throw new Error('no export in the trail');
  return docx.prev_hash;
}
