import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  LineRuleType,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type IParagraphOptions,
} from 'docx';
import { localDate } from '../../clock.ts';
import { UNIT_WORDS } from '../../../contract/indicators.ts';
import { documentSymbol } from '../../../contract/settings.ts';
import { cellText, dmy, isSexByAge, legend, trailWords, type ExportContext, type ExportFile } from './common.ts';
import { headingLines, style, textWidth } from './text-width.ts';

/*
 * The Word report in the state administrative format (Decree 30/2020/NĐ-CP, appendix I): the
 * issuing unit and the national heading side by side, number and symbol, place and date, the
 * title with its summary, "Kính gửi", the body with its tables, the signature block with
 * "Nơi nhận", then an annex with the indicators' definitions and the audit trail's hash.
 * Times New Roman, A4, margins 20/20/30/15 mm, pages from the second numbered at the top.
 *
 * The heading is laid out with the font's metrics (text-width.ts): each column as wide as its
 * lines need, names broken only between words that may part, the short rules 2/5 of the text.
 */

const FONT = 'Times New Roman';
const SIZE = 26; // half-points: 13 pt
const MM = 56.7; // twips
const PT = 20; // twips
/** The text's width on A4 with the decree's margins (30 mm left, 15 mm right), in twips. */
const TEXT_WIDTH = Math.floor((210 - 30 - 15) * MM);
/** Space left and right inside the heading's cells, in twips (1 mm). */
const CELL_MARGIN = 57;
/** What a line is given beyond its measured length, in points (rounding in the renderer). */
const SLACK = 2;
/** The short rules under the unit's name and the title's summary: this share of the text above. */
const RULE_SHARE = 0.4;
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };
const LINE = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
const RULE = { style: BorderStyle.SINGLE, size: 6, space: 1, color: '000000' } as const;

type Run = { text: string; bold?: boolean; italics?: boolean; underline?: boolean; size?: number };
const paragraph = (runs: Run[] | string, options: Omit<IParagraphOptions, 'children'> = {}) =>
  new Paragraph({
    ...options,
    children: (typeof runs === 'string' ? [{ text: runs }] : runs).map(
      (run) => new TextRun({ text: run.text, bold: run.bold, italics: run.italics, underline: run.underline ? {} : undefined, size: run.size ?? SIZE, font: FONT }),
    ),
  });
const centred = (runs: Run[] | string, options: Omit<IParagraphOptions, 'children'> = {}) => paragraph(runs, { alignment: AlignmentType.CENTER, ...options });
/** A period's name inside a sentence: "quý III năm 2026", its Roman numerals kept. */
const inSentence = (label: string) => label.charAt(0).toLocaleLowerCase('vi') + label.slice(1);
/** A run's length in points. */
const measure = (run: Run) => textWidth(run.text, (run.size ?? SIZE) / 2, style(run.bold, run.italics));

/** A short centred rule under a text `textPt` long, within a space `spaceTwips` wide. */
function rule(textPt: number, spaceTwips: number): Paragraph {
  const side = Math.round((spaceTwips - textPt * RULE_SHARE * PT) / 2);
  return new Paragraph({ border: { bottom: RULE }, indent: { left: side, right: side }, spacing: { before: 0, after: 0, line: 40, lineRule: LineRuleType.EXACT }, children: [new TextRun({ text: '', size: 4 })] });
}

/** Each line a paragraph of its own, centred, with no space after but the last's. */
const lines = (texts: string[], run: Omit<Run, 'text'>, after = 0) => texts.map((text, index) => centred([{ ...run, text }], { spacing: { after: index === texts.length - 1 ? after : 0 } }));

/** Two columns without borders (the heading, the signature block), widths in twips. */
function sideBySide(left: Paragraph[], right: Paragraph[], leftWidth: number): Table {
  // Never split across pages: a signer's title on one page and the name on the next is no signature block.
  const margins = { left: CELL_MARGIN, right: CELL_MARGIN, top: 0, bottom: 0 };
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [leftWidth, TEXT_WIDTH - leftWidth],
    borders: NO_BORDERS,
    margins,
    rows: [
      new TableRow({
        cantSplit: true,
        children: [
          new TableCell({ width: { size: leftWidth, type: WidthType.DXA }, borders: NO_BORDERS, children: left }),
          new TableCell({ width: { size: TEXT_WIDTH - leftWidth, type: WidthType.DXA }, borders: NO_BORDERS, children: right }),
        ],
      }),
    ],
  });
}

/**
 * The heading: on the right the national heading and the date at 13 pt, its column as wide as
 * its longest line; on the left, in what remains, the parent agency (12 pt) and the unit
 * (12 pt bold) broken between words that may part, a short rule, and the number and symbol.
 */
function heading(context: ExportContext, dateLine: string): Table {
  const { report, settings } = context;
  const national: Run[] = [
    { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true },
    { text: 'Độc lập - Tự do - Hạnh phúc', bold: true, underline: true },
    { text: dateLine, italics: true },
  ];
  // The right column no wider than 62 % of the text: a very long place name wraps after its comma.
  const rightNeed = Math.ceil((Math.max(...national.map(measure)) + SLACK) * PT) + 2 * CELL_MARGIN;
  const leftWidth = TEXT_WIDTH - Math.min(rightNeed, Math.round(TEXT_WIDTH * 0.62));
  const leftInner = leftWidth - 2 * CELL_MARGIN;
  const room = leftInner / PT - SLACK;
  const agency = headingLines(settings.reportParentAgency.toLocaleUpperCase('vi'), 12, 'regular', room);
  const unit = headingLines(report.centre.name.toLocaleUpperCase('vi'), 12, 'bold', room);
  const unitPt = Math.max(...unit.map((text) => textWidth(text, 12, 'bold')));
  const [motto, date] = national.slice(1);
  return sideBySide(
    [
      ...(settings.reportParentAgency.trim() ? lines(agency, { size: 24 }) : []),
      ...lines(unit, { bold: true, size: 24 }),
      rule(unitPt, leftInner),
      centred(`Số: ${documentSymbol(settings.reportDocumentNumber, report.centre.name)}`, { spacing: { before: 200 } }),
    ],
    [
      centred([national[0] as Run], { spacing: { after: 0 } }),
      centred([motto as Run], { spacing: { after: 0 } }),
      centred([date as Run], { spacing: { before: 240 } }),
    ],
    leftWidth,
  );
}

function dataTable(table: ExportContext['report']['tables'][number]): Table {
  const border = { top: LINE, bottom: LINE, left: LINE, right: LINE };
  // The first column is wide enough for its labels ("Chuyển giới nữ" on one line); the counts share the rest.
  const first = Math.round(TEXT_WIDTH * (table.columns.length > 2 ? 0.3 : 0.5));
  const rest = Math.floor((TEXT_WIDTH - first) / table.columns.length);
  const cell = (text: string, column: number, options: { bold?: boolean; right?: boolean } = {}) =>
    new TableCell({
      borders: border,
      width: { size: column === 0 ? first : rest, type: WidthType.DXA },
      children: [paragraph([{ text, bold: options.bold, size: 24 }], { alignment: options.right ? AlignmentType.RIGHT : AlignmentType.LEFT, spacing: { after: 0 } })],
    });
  // The corner names the breakdown.
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [first, ...table.columns.map(() => rest)],
    rows: [
      new TableRow({ tableHeader: true, children: [cell(isSexByAge(table) ? 'Giới tính / Nhóm tuổi' : '', 0, { bold: true }), ...table.columns.map((column, c) => cell(column.label.vi, c + 1, { bold: true, right: true }))] }),
      ...table.rows.map(
        (row, r) =>
          new TableRow({
            children: [cell(row.label.vi, 0, { bold: row.total }), ...table.columns.map((_, c) => cell(cellText(table.cells[r]?.[c] ?? null), c + 1, { bold: row.total, right: true }))],
          }),
      ),
    ],
  });
}

/**
 * The annex a reader can follow without the app: what each indicator counts, in words, with its
 * unit and version; who is counted; how small numbers are hidden; and the audit trail's hash.
 */
function annex(context: ExportContext, symbol: string, day: string): (Paragraph | Table)[] {
  const { report } = context;
  const border = { top: LINE, bottom: LINE, left: LINE, right: LINE };
  const widths = [7, 28, 45, 10, 10].map((share) => Math.round((TEXT_WIDTH * share) / 100));
  const cell = (text: string, column: number, bold = false) =>
    new TableCell({
      borders: border,
      width: { size: widths[column] ?? 0, type: WidthType.DXA },
      children: [paragraph([{ text, bold, size: 22 }], { alignment: column === 0 || column >= 3 ? AlignmentType.CENTER : AlignmentType.LEFT, spacing: { after: 0 } })],
    });
  const [year, month, date] = day.split('-');
  return [
    new Paragraph({ children: [new PageBreak()] }),
    centred([{ text: 'PHỤ LỤC', bold: true, size: 28 }], { spacing: { after: 0 } }),
    centred([{ text: 'ĐỊNH NGHĨA CÁC CHỈ SỐ VÀ CĂN CỨ ĐỐI CHIẾU', bold: true }], { spacing: { after: 0 } }),
    centred([{ text: `(Kèm theo Báo cáo số ${symbol} ngày ${date} tháng ${month} năm ${year} của ${report.centre.name})`, italics: true }], { spacing: { after: 240 } }),
    paragraph([{ text: '1. Các chỉ số', bold: true }], { keepNext: true }),
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: widths,
      rows: [
        new TableRow({ tableHeader: true, children: ['TT', 'Chỉ số', 'Cách tính', 'Đơn vị tính', 'Phiên bản'].map((text, column) => cell(text, column, true)) }),
        ...report.tables.map(
          (table, index) =>
            new TableRow({ cantSplit: true, children: [String(index + 1), table.label.vi, table.definition.vi, UNIT_WORDS[table.unit].vi, String(table.version)].map((text, column) => cell(text, column)) }),
        ),
      ],
    }),
    paragraph([{ text: '2. Những ai được tính', bold: true }], { spacing: { before: 240 }, keepNext: true }),
    paragraph(
      'Chỉ tính những thân chủ đã đồng ý cho dùng số liệu ẩn danh về mình trong báo cáo (đồng ý trước khi kỳ báo cáo kết thúc, còn hiệu lực trong kỳ và chưa rút lại). Người được hỗ trợ mà không lập hồ sơ chỉ được tính là lượt tiếp cận và lượt dịch vụ, không tính là người. Khi định nghĩa của một chỉ số thay đổi, phiên bản của chỉ số được nâng lên; số liệu của hai phiên bản khác nhau không so sánh trực tiếp với nhau.',
      { alignment: AlignmentType.JUSTIFIED },
    ),
    paragraph([{ text: '3. Che số liệu nhỏ', bold: true }], { spacing: { before: 240 }, keepNext: true }),
    paragraph(legend(report.k), { alignment: AlignmentType.JUSTIFIED }),
    paragraph([{ text: '4. Căn cứ đối chiếu', bold: true }], { spacing: { before: 240 }, keepNext: true }),
    paragraph(trailWords(context.trail), { alignment: AlignmentType.JUSTIFIED }),
    paragraph([{ text: context.trail.hash, size: 22 }], { spacing: { before: 60 } }),
  ];
}

export async function toDocx(context: ExportContext): Promise<ExportFile> {
  const { report, settings } = context;
  const day = localDate(new Date(report.generatedAt));
  const [year, month, date] = day.split('-');
  const place = settings.reportPlace || 'Thành phố Hồ Chí Minh';
  // Plain spaces: its column is made wide enough for it (no-break spaces are set wider by some programs).
  const dateLine = `${place}, ngày ${date} tháng ${month} năm ${year}`;
  const symbol = documentSymbol(settings.reportDocumentNumber, report.centre.name);
  const summary: Run = { text: `Số liệu tổng hợp hoạt động hỗ trợ ${inSentence(report.period.label.vi)}`, bold: true, size: 28 };
  const body: (Paragraph | Table)[] = [
    heading(context, dateLine),
    centred([{ text: 'BÁO CÁO', bold: true, size: 28 }], { spacing: { before: 360, after: 0 } }),
    centred([summary], { spacing: { after: 0 } }),
    rule(measure(summary), TEXT_WIDTH),
    centred(`Kính gửi: ${settings.reportRecipient}.`, { spacing: { before: 240, after: 240 } }),
    paragraph(
      `Thực hiện chế độ báo cáo định kỳ, ${report.centre.name} báo cáo số liệu tổng hợp ${inSentence(report.period.label.vi)} (từ ngày ${dmy(report.period.from)} đến ngày ${dmy(report.period.to)}) như sau:`,
      { alignment: AlignmentType.JUSTIFIED, indent: { firstLine: 720 } },
    ),
    paragraph([{ text: 'I. SỐ LIỆU', bold: true }], { spacing: { before: 240 } }),
  ];
  report.tables.forEach((table, index) => {
    body.push(
      // The heading, its definition and its unit stay with the table: never alone at a page's foot.
      paragraph([{ text: `${index + 1}. ${table.label.vi}`, bold: true }], { spacing: { before: 240 }, keepNext: true }),
      paragraph([{ text: table.definition.vi, italics: true, size: 22 }], { alignment: AlignmentType.JUSTIFIED, keepNext: true }),
      paragraph([{ text: `Đơn vị tính: ${UNIT_WORDS[table.unit].vi}`, italics: true, size: 22 }], { alignment: AlignmentType.RIGHT, keepNext: true }),
      dataTable(table),
    );
  });
  body.push(
    // The notes stay with the signature block, so the signed page carries text.
    paragraph([{ text: 'II. GHI CHÚ', bold: true }], { spacing: { before: 360 }, keepNext: true }),
    paragraph(`- ${legend(report.k)}`, { alignment: AlignmentType.JUSTIFIED, keepNext: true }),
    paragraph('- Số liệu không chứa tên, mã hay bất kỳ chi tiết nào nhận ra người được hỗ trợ; chỉ tính những thân chủ đồng ý cho dùng số liệu ẩn danh trong báo cáo.', { alignment: AlignmentType.JUSTIFIED, keepNext: true }),
    paragraph('- Định nghĩa và phiên bản của từng chỉ số, và căn cứ để đối chiếu số liệu với hồ sơ của đơn vị: xem Phụ lục kèm theo.', { alignment: AlignmentType.JUSTIFIED, keepNext: true }),
    paragraph('', { keepNext: true }),
    sideBySide(
      [
        paragraph([{ text: 'Nơi nhận:', bold: true, italics: true, size: 24 }], { spacing: { after: 0 } }),
        paragraph([{ text: '- Như trên;', size: 22 }], { spacing: { after: 0 } }),
        paragraph([{ text: '- Lưu: VT.', size: 22 }]),
      ],
      [
        // Space for the signature and the seal, then the signer's name (a setting).
        centred([{ text: (settings.reportSignerTitle || 'GIÁM ĐỐC').toLocaleUpperCase('vi'), bold: true }]),
        paragraph(''),
        paragraph(''),
        paragraph(''),
        paragraph(''),
        centred([{ text: settings.reportSignerName, bold: true }]),
      ],
      Math.round(TEXT_WIDTH / 2),
    ),
    ...annex(context, symbol, day),
  );
  // Pages from the second on are numbered, centred in the top margin, at 13 pt; the first has none.
  const pageNumber = new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT], size: SIZE, font: FONT })] })] });
  const document = new Document({
    creator: report.centre.code || 'dong-hanh',
    title: `Báo cáo ${report.period.label.vi}`,
    // Vietnamese text, so spelling and hyphenation follow it; at least 6 pt between paragraphs.
    styles: { default: { document: { run: { font: FONT, size: SIZE, language: { value: 'vi-VN' } }, paragraph: { spacing: { after: 120 } } } } },
    sections: [
      {
        properties: {
          titlePage: true,
          page: { size: { width: 210 * MM, height: 297 * MM }, margin: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM, header: 10 * MM } },
        },
        headers: { default: pageNumber, first: new Header({ children: [new Paragraph({ children: [] })] }) },
        children: body,
      },
    ],
  });
  return { bytes: await Packer.toBuffer(document), extension: 'docx' };
}
