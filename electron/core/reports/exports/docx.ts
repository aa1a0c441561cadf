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
import { cellText, dmy, legend, type ExportContext, type ExportFile } from './common.ts';

/*
 * The Word report in the state administrative format (Decree 30/2020/NĐ-CP): the agency and
 * the national heading side by side, number, place and date, the title, "Kính gửi", the body
 * with its tables, and the signature block with "Nơi nhận". Times New Roman 13, A4, margins
 * 20/20/30/15 mm.
 */

const FONT = 'Times New Roman';
const SIZE = 26; // half-points: 13 pt
const MM = 56.7; // twips
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
  const cell = (text: string, options: { bold?: boolean; right?: boolean } = {}) =>
    new TableCell({ borders: border, children: [paragraph([{ text, bold: options.bold, size: 24 }], { alignment: options.right ? AlignmentType.RIGHT : AlignmentType.LEFT })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: [cell(''), ...table.columns.map((column) => cell(column.label.vi, { bold: true, right: true }))] }),
      ...table.rows.map(
        (row, r) =>
          new TableRow({
            children: [cell(row.label.vi, { bold: row.total }), ...table.columns.map((_, c) => cell(cellText(table.cells[r]?.[c] ?? null), { bold: row.total, right: true }))],
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
      centred(settings.reportParentAgency.toUpperCase()),
      centred([{ text: report.centre.name.toUpperCase(), bold: true }], { border: { bottom: LINE } }),
      centred(`Số: ${settings.reportDocumentNumber || '…/BC'}`, { spacing: { before: 120 } }),
    ],
    [
      centred([{ text: 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true }]),
      centred([{ text: 'Độc lập - Tự do - Hạnh phúc', bold: true, underline: true }]),
      centred([{ text: `${place}, ngày ${date} tháng ${month} năm ${year}`, italics: true }], { spacing: { before: 120 } }),
    ],
  );
  const body: (Paragraph | Table)[] = [
    heading,
    centred([{ text: 'BÁO CÁO', bold: true, size: 28 }], { spacing: { before: 360 } }),
    centred([{ text: `Số liệu tổng hợp hoạt động hỗ trợ ${report.period.label.vi.toLowerCase()}`, bold: true }]),
    centred(`Kính gửi: ${settings.reportRecipient}.`, { spacing: { before: 240, after: 240 } }),
    paragraph(
      `Thực hiện chế độ báo cáo định kỳ, ${report.centre.name} báo cáo số liệu tổng hợp ${report.period.label.vi.toLowerCase()} (từ ngày ${dmy(report.period.from)} đến ngày ${dmy(report.period.to)}) như sau:`,
      { alignment: AlignmentType.JUSTIFIED, indent: { firstLine: 720 } },
    ),
    paragraph([{ text: 'I. SỐ LIỆU', bold: true }], { spacing: { before: 240 } }),
  ];
  report.tables.forEach((table, index) => {
    body.push(
      paragraph([{ text: `${index + 1}. ${table.label.vi}`, bold: true }], { spacing: { before: 240 } }),
      paragraph([{ text: table.definition.vi, italics: true, size: 22 }], { alignment: AlignmentType.JUSTIFIED }),
      dataTable(table),
    );
  });
  body.push(
    paragraph([{ text: 'II. GHI CHÚ', bold: true }], { spacing: { before: 360 } }),
    paragraph(`- ${legend(report.k)}`, { alignment: AlignmentType.JUSTIFIED }),
    paragraph(`- Số liệu không chứa tên, mã hay bất kỳ chi tiết nào nhận ra người được hỗ trợ; chỉ tính những thân chủ đồng ý cho dùng số liệu ẩn danh trong báo cáo. Phiên bản chỉ số: ${report.tables.map((table) => `${table.indicatorId} v${table.version}`).join(', ')}.`, {
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
        centred([{ text: (settings.reportSignerTitle || 'GIÁM ĐỐC').toUpperCase(), bold: true }]),
        centred([{ text: '(Ký, ghi rõ họ tên, đóng dấu)', italics: true, size: 22 }]),
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
    styles: { default: { document: { run: { font: FONT, size: SIZE } } } },
    sections: [{ properties: { page: { size: { width: 210 * MM, height: 297 * MM }, margin: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM } } }, children: body }],
  });
  return { bytes: await Packer.toBuffer(document), extension: 'docx' };
}
