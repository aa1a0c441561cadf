import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
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
import { cellText, dmy, indicatorVersions, isSexByAge, legend, type ExportContext, type ExportFile } from './common.ts';

/*
 * The Word report in the state administrative format (Decree 30/2020/NĐ-CP): the agency and
 * the national heading side by side, number, place and date, the title, "Kính gửi", the body
 * with its tables, and the signature block with "Nơi nhận". Times New Roman 13, A4, margins
 * 20/20/30/15 mm.
 */

const FONT = 'Times New Roman';
const SIZE = 26; // half-points: 13 pt
const MM = 56.7; // twips
/** The text's width on A4 with the decree's margins (30 mm left, 15 mm right), in twips. */
const TEXT_WIDTH = Math.floor((210 - 30 - 15) * MM);
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };
const LINE = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

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

/**
 * The parent agency's name in capitals, on two lines when it names a city or province: the
 * place on a line of its own whose spaces do not break, so no proper name is cut ("HỒ CHÍ / MINH").
 */
function agencyLines(name: string): string[] {
  const upper = name.toLocaleUpperCase('vi').trim();
  const at = upper.search(/\s(THÀNH PHỐ|TỈNH)\s/u);
  return at > 0 ? [upper.slice(0, at), upper.slice(at + 1).replace(/ /g, '\u00a0')] : [upper];
}

/** Two columns without borders: the heading and the signature block. */
function sideBySide(left: Paragraph[], right: Paragraph[], leftShare = 40): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          new TableCell({ width: { size: leftShare, type: WidthType.PERCENTAGE }, borders: NO_BORDERS, children: left }),
          new TableCell({ width: { size: 100 - leftShare, type: WidthType.PERCENTAGE }, borders: NO_BORDERS, children: right }),
        ],
      }),
    ],
  });
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

export async function toDocx({ report, settings }: ExportContext): Promise<ExportFile> {
  const day = localDate(new Date(report.generatedAt));
  const [year, month, date] = day.split('-');
  const place = settings.reportPlace || 'Thành phố Hồ Chí Minh';
  const heading = sideBySide(
    [
      // 12 pt, as the decree allows for the agencies' names, so the national heading's column can be wide.
      ...agencyLines(settings.reportParentAgency).map((line) => centred([{ text: line, size: 24 }], { spacing: { after: 0 } })),
      centred([{ text: report.centre.name.toUpperCase(), bold: true, size: 24 }], { border: { bottom: LINE } }),
      centred(`Số: ${settings.reportDocumentNumber || '…/BC'}`, { spacing: { before: 120 } }),
    ],
    [
      centred([{ text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true }], { spacing: { after: 0 } }),
      centred([{ text: 'Độc lập - Tự do - Hạnh phúc', bold: true, underline: true }]),
      centred([{ text: `${place}, ngày ${date} tháng ${month} năm ${year}`, italics: true }], { spacing: { before: 120 } }),
    ],
    // The national heading's column is wide enough for its 13 pt bold line and the date line.
    35,
  );
  const body: (Paragraph | Table)[] = [
    heading,
    centred([{ text: 'BÁO CÁO', bold: true, size: 28 }], { spacing: { before: 360 } }),
    centred([{ text: `Số liệu tổng hợp hoạt động hỗ trợ ${inSentence(report.period.label.vi)}`, bold: true }]),
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
    paragraph([{ text: 'II. GHI CHÚ', bold: true }], { spacing: { before: 360 } }),
    paragraph(`- ${legend(report.k)}`, { alignment: AlignmentType.JUSTIFIED }),
    paragraph(`- Số liệu không chứa tên, mã hay bất kỳ chi tiết nào nhận ra người được hỗ trợ; chỉ tính những thân chủ đồng ý cho dùng số liệu ẩn danh trong báo cáo. Định nghĩa các chỉ số: ${indicatorVersions(report)}.`, {
      alignment: AlignmentType.JUSTIFIED,
    }),
    paragraph(''),
    sideBySide(
      [
        paragraph([{ text: 'Nơi nhận:', bold: true, italics: true, size: 24 }]),
        paragraph([{ text: '- Như trên;', size: 22 }]),
        paragraph([{ text: '- Lưu: VT.', size: 22 }]),
      ],
      [
        // Space for the signature and the seal, then the signer's name (a setting).
        centred([{ text: (settings.reportSignerTitle || 'GIÁM ĐỐC').toUpperCase(), bold: true }]),
        paragraph(''),
        paragraph(''),
        paragraph(''),
        paragraph(''),
        centred([{ text: settings.reportSignerName, bold: true }]),
      ],
      50,
    ),
  );
  const document = new Document({
    creator: report.centre.code || 'dong-hanh',
    title: `Báo cáo ${report.period.label.vi}`,
    // Vietnamese text, so spelling and hyphenation follow it; at least 6 pt between paragraphs.
    styles: { default: { document: { run: { font: FONT, size: SIZE, language: { value: 'vi-VN' } }, paragraph: { spacing: { after: 120 } } } } },
    sections: [{ properties: { page: { size: { width: 210 * MM, height: 297 * MM }, margin: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM } } }, children: body }],
  });
  return { bytes: await Packer.toBuffer(document), extension: 'docx' };
}
