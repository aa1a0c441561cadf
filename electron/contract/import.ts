import { z } from 'zod';
import { channel } from './channel.ts';
import { idSchema, optionalText } from './schemas.ts';
import { REFERRAL_STATUSES, SEXES, VISIT_PLACES } from './vocabulary.ts';

/*
 * Bringing an old register in (an Excel or CSV sheet a centre kept before the app): a manager
 * opens the file through the shell's dialog, says which column holds what and what the sheet's
 * words mean, sees every row's result, and imports the rows that can be imported in one go.
 * The file stays where it is; the session keeps what was read of it until the import ends or
 * the app locks.
 */

/**
 * What a column can hold. A client's own facts; the parts her code is built from; her paper
 * consent's date; and a visit (a row per visit is the sheet's way of keeping them: the rows
 * that share the register's own file number are one person's).
 */
export const IMPORT_FIELDS = [
  'fileNumber',
  'code',
  'motherName',
  'fatherName',
  'birthYear',
  'birthDate',
  'sex',
  'alias',
  'legalName',
  'phone',
  'idNumber',
  'address',
  'ward',
  'district',
  'registeredOn',
  'consentOn',
  'visitOn',
  'services',
  'place',
  'referralService',
  'referralOn',
  'referralStatus',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Fields whose words a manager tells the app the meaning of. */
export const MAPPED_VALUE_FIELDS = ['sex', 'services', 'place', 'referralStatus'] as const;
export type MappedValueField = (typeof MAPPED_VALUE_FIELDS)[number];

/** What one column is taken as: a field, a column of marks for one service type ("x" where she had it), or nothing. */
export const columnTargetSchema = z.union([
  z.object({ field: z.enum(IMPORT_FIELDS, { error: 'invalid' }) }).strict(),
  z.object({ field: z.literal('serviceMark'), serviceTypeId: idSchema }).strict(),
  z.null(),
]);
export type ColumnTarget = z.infer<typeof columnTargetSchema>;

const word = z.string().max(200, { error: 'tooLong' });

/** The sheet's words, each with what it means in the app (null: not known yet). Keys are the words as the preview lists them. */
export const valueMapsSchema = z
  .object({
    sex: z.record(word, z.enum(SEXES).nullable()).default({}),
    services: z.record(word, idSchema.nullable()).default({}),
    place: z.record(word, z.enum(VISIT_PLACES).nullable()).default({}),
    referralStatus: z.record(word, z.enum(REFERRAL_STATUSES).nullable()).default({}),
  })
  .strict();
export type ValueMaps = z.infer<typeof valueMapsSchema>;

/** What to do with a row whose person is already in the app or on an earlier row. */
export const DUPLICATE_DECISIONS = ['skip', 'merge', 'new'] as const;
export type DuplicateDecision = (typeof DUPLICATE_DECISIONS)[number];

/** The whole plan: the same for the preview and the import itself. */
export const importPlanSchema = z
  .object({
    sheet: z.number().int().min(0).max(200),
    /** One per column of the sheet, in order. */
    columns: z.array(columnTargetSchema).max(300, { error: 'tooLong' }),
    values: valueMapsSchema.default({ sex: {}, services: {}, place: {}, referralStatus: {} }),
    /** Old wards split between several new ones: the new ward chosen, by the old ward's key (the preview's `wardChoices`). */
    wards: z.record(word, z.number().int()).default({}),
    /** For duplicates not decided row by row: one decision for those of the app's records, one for those of the file. */
    duplicates: z
      .object({ existing: z.enum(DUPLICATE_DECISIONS).nullable().default(null), inFile: z.enum(DUPLICATE_DECISIONS).nullable().default(null) })
      .strict()
      .default({ existing: null, inFile: null }),
    /** A decision for one row, by its row number in the sheet. */
    decisions: z.record(z.string().regex(/^\d{1,7}$/), z.enum(DUPLICATE_DECISIONS)).default({}),
    /** The manager states that every row's consent is on paper at the centre (the rows without a consent date are then imported). */
    consentStatement: z.boolean().default(false),
    /** The paper forms also allow anonymous numbers about her in reports (only then is she counted in them). */
    paperCoversReports: z.boolean().default(false),
    /** Where the paper consent forms are kept. */
    paperKeptAt: optionalText(120).default(null),
    /** Who will hold the imported cases (the import itself needs one; the preview does not). */
    workerId: idSchema.nullable().default(null),
    /** Where a visit was when the sheet does not say. */
    defaultPlace: z.enum(VISIT_PLACES).default('centre'),
  })
  .strict();
export type ImportPlan = z.input<typeof importPlanSchema>;
export type ParsedImportPlan = z.output<typeof importPlanSchema>;

export const ROW_OUTCOMES = ['create', 'existing', 'inFile', 'visit', 'error', 'noConsent'] as const;
export type RowOutcome = (typeof ROW_OUTCOMES)[number];

/**
 * What is wrong with one cell (or, without a column, with the row). An `error` keeps the row
 * out; a `warning` says what of it is left out or assumed.
 */
export const CELL_PROBLEMS = [
  'required',
  'tooLong',
  'phoneFormat',
  'birthYearRange',
  'dateFormat',
  'dateInvalid',
  'dateFuture',
  'valueUnmapped',
  'codeMalformed',
  'codeParts',
  'wardUnknown',
  'wardSplit',
  'child',
  'ageUnclear',
  'differsFromFirstRow',
  'noServices',
  'consentMissing',
  'consentAfterToday',
  'consentExpired',
  'duplicateVisit',
  'duplicateReferral',
  'noReferralService',
  'contactConsent',
  'recordRestricted',
  'recordClosed',
  'recordNoConsent',
  'decisionNeeded',
] as const;
export type CellProblem = (typeof CELL_PROBLEMS)[number];

export const cellIssueSchema = z.object({
  /** The column (index into the sheet's columns), or null for the row as a whole. */
  column: z.number().nullable(),
  problem: z.enum(CELL_PROBLEMS),
  severity: z.enum(['error', 'warning']),
  /** The cell's text as the sheet has it (shown so the manager can find it). */
  value: z.string().nullable(),
});
export type CellIssue = z.infer<typeof cellIssueSchema>;

export const previewRowSchema = z.object({
  rowNumber: z.number(),
  outcome: z.enum(ROW_OUTCOMES),
  /** The decision that applies to a duplicate (null: not taken yet). */
  decision: z.enum(DUPLICATE_DECISIONS).nullable(),
  /** The code the record will have or has. */
  code: z.string().nullable(),
  alias: z.string().nullable(),
  /** The app's record (existing) or the earlier row (inFile, visit) it is the same person as. */
  sameAs: z.object({ clientId: z.number().nullable(), rowNumber: z.number().nullable(), code: z.string().nullable() }).nullable(),
  /** The visit this row adds (its date), if any. */
  visitOn: z.string().nullable(),
  /** The referral this row adds (its date), if any. */
  referralOn: z.string().nullable(),
  issues: z.array(cellIssueSchema),
  /** Cells whose text was read from an old font or code page: the text made Unicode, as it will be stored. */
  converted: z.array(z.object({ column: z.number(), text: z.string() })),
});
export type PreviewRow = z.infer<typeof previewRowSchema>;

const countsSchema = z.object({
  rows: z.number(),
  create: z.number(),
  existing: z.number(),
  inFile: z.number(),
  visit: z.number(),
  error: z.number(),
  noConsent: z.number(),
  /** Duplicates still waiting for a decision. */
  undecided: z.number(),
  /** What the import would write. */
  clientsCreated: z.number(),
  clientsMerged: z.number(),
  visitsAdded: z.number(),
  referralsAdded: z.number(),
  /** Records whose paper consent is already over: their workers will be asked to renew it. */
  consentExpired: z.number(),
});
export type ImportCounts = z.infer<typeof countsSchema>;

export const importColumnSchema = z.object({
  header: z.string(),
  encoding: z.enum(['unicode', 'tcvn3', 'vni', 'windows-1258']),
  /** A few of its values, made Unicode. */
  samples: z.array(z.string()),
  suggested: columnTargetSchema,
});

export const importSheetSchema = z.object({
  name: z.string(),
  rows: z.number(),
  headerRow: z.number(),
  columns: z.array(importColumnSchema),
});

export const importFileSchema = z.object({
  kind: z.enum(['xlsx', 'csv']),
  /** The file's SHA-256 (what the trail keeps of it). */
  sha256: z.string(),
  bytes: z.number(),
  sheets: z.array(importSheetSchema),
  /** An import of this very file done before: when and by whom. */
  importedBefore: z.object({ at: z.string(), byName: z.string().nullable() }).nullable(),
});
export type ImportFileView = z.infer<typeof importFileSchema>;

export const valueFoundSchema = z.object({
  word: z.string(),
  rows: z.number(),
  /** What it is taken as now: the plan's, or else the app's suggestion; null: unknown. */
  meaning: z.union([z.string(), z.number()]).nullable(),
  suggested: z.boolean(),
});

export const previewSchema = z.object({
  counts: countsSchema,
  /** Every word the mapped columns hold, per field, with its meaning. */
  values: z.object({ sex: z.array(valueFoundSchema), services: z.array(valueFoundSchema), place: z.array(valueFoundSchema), referralStatus: z.array(valueFoundSchema) }),
  /** Old wards split between new ones: which new one each row of it goes to is the manager's choice. */
  wardChoices: z.array(z.object({ key: z.string(), oldName: z.string(), districtName: z.string(), rows: z.number(), options: z.array(z.object({ code: z.number(), name: z.string() })), chosen: z.number().nullable() })),
  /** The mapping is incomplete: what is missing for any row to be imported. */
  missing: z.array(z.enum(['alias', 'identity', 'birthYear', 'sex', 'consent'])),
  rows: z.array(previewRowSchema),
  /** Rows matching the filter, for paging. */
  total: z.number(),
});
export type ImportPreview = z.infer<typeof previewSchema>;

/** How many ways of reading a register a centre keeps. */
export const MAX_SAVED_MAPPINGS = 30;

export const savedMappingSchema = z.object({
  name: z.string(),
  savedAt: z.string(),
  byName: z.string().nullable(),
  /** Laid onto the open sheet: each of its columns' target, by its header (null: a header the saved one did not have). */
  columns: z.array(columnTargetSchema),
  /** How many of the open sheet's columns it knew. */
  matched: z.number(),
  values: valueMapsSchema,
  defaultPlace: z.enum(VISIT_PLACES),
});
export type SavedMapping = z.infer<typeof savedMappingSchema>;

export const importResultSchema = z.object({
  clientsCreated: z.number(),
  clientsMerged: z.number(),
  visitsAdded: z.number(),
  referralsAdded: z.number(),
  rowsLeftOut: z.number(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const importChannels = {
  /** Read the file the manager picks (the shell's dialog) and suggest what each column holds. */
  'import.open': channel({
    input: z.object({}).strict(),
    /** Null: the dialog was closed without a file. */
    output: importFileSchema.nullable(),
    access: 'clients.import',
    audit: 'read',
    pathFrom: 'openFile',
    opens: ['xlsx', 'csv'],
    errors: ['IMPORT_FILE_UNREADABLE', 'IMPORT_FILE_TOO_LARGE', 'IMPORT_FILE_OLD_EXCEL', 'IMPORT_FILE_EMPTY', 'IMPORT_FILE_TOO_MANY_ROWS'],
  }),
  /** Every row's result under a plan; nothing is written. */
  'import.preview': channel({
    input: z
      .object({
        plan: importPlanSchema,
        /** Which rows to list: all, or one outcome, or those with a problem. */
        show: z.enum(['all', 'problems', ...ROW_OUTCOMES]).default('all'),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: previewSchema,
    access: 'clients.import',
    audit: 'read',
    errors: ['IMPORT_NOT_OPEN', 'USER_NOT_FOUND', 'USER_INACTIVE'],
  }),
  /** Import every row that can be, in one transaction: all or nothing. */
  'import.commit': channel({
    input: z.object({ plan: importPlanSchema, sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'invalid' }) }).strict(),
    output: importResultSchema,
    access: 'clients.import',
    audit: 'write',
    stoppable: true,
    errors: ['CALL_STOPPED', 'IMPORT_NOT_OPEN', 'IMPORT_FILE_CHANGED', 'IMPORT_HOLDER_NEEDED', 'IMPORT_DECISIONS_NEEDED', 'IMPORT_NOTHING', 'USER_NOT_FOUND', 'USER_INACTIVE'],
  }),
  /** Save the rows that were not imported and why (no cell's text): where the manager chooses. */
  'import.saveProblems': channel({
    input: z.object({ plan: importPlanSchema, language: z.enum(['vi', 'en']) }).strict(),
    /** `saved` false: the dialog was closed without a place. */
    output: z.object({ saved: z.boolean(), rows: z.number() }),
    access: 'clients.import',
    audit: 'write',
    pathFrom: 'saveFile',
    errors: ['IMPORT_NOT_OPEN', 'STORAGE_FAILED', 'DISK_FULL', 'STORAGE_READ_ONLY'],
  }),
  /** The centre's saved ways of reading a register, each laid onto the open sheet's columns (by their headers). */
  'import.mappings': channel({
    input: z.object({ sheet: z.number().int().min(0).max(200) }).strict(),
    output: z.object({ mappings: z.array(savedMappingSchema) }),
    access: 'clients.import',
    audit: 'read',
    errors: ['IMPORT_NOT_OPEN'],
  }),
  /** Keep this way of reading the register under a name (the same name is replaced), for the next file like it. */
  'import.saveMapping': channel({
    input: z
      .object({
        name: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(60, { error: 'tooLong' }),
        sheet: z.number().int().min(0).max(200),
        columns: z.array(columnTargetSchema).max(300, { error: 'tooLong' }),
        values: valueMapsSchema.default({ sex: {}, services: {}, place: {}, referralStatus: {} }),
        defaultPlace: z.enum(VISIT_PLACES).default('centre'),
      })
      .strict(),
    output: z.object({ saved: z.number() }),
    access: 'clients.import',
    audit: 'write',
    errors: ['IMPORT_NOT_OPEN', 'IMPORT_MAPPINGS_FULL'],
  }),
  'import.deleteMapping': channel({
    input: z.object({ name: z.string().max(60) }).strict(),
    output: z.object({ deleted: z.boolean() }),
    access: 'clients.import',
    audit: 'write',
    errors: [],
  }),
  /** Let go of the file read (also at lock and logout). */
  'import.close': channel({
    input: z.object({}).strict(),
    output: z.object({ closed: z.boolean() }),
    access: 'clients.import',
    audit: 'read',
    errors: [],
  }),
} as const;

/** Each problem in words, for the preview and for the saved list of rows not imported (the same words in both). */
export const CELL_PROBLEM_WORDS: Record<CellProblem, { vi: string; en: string }> = {
  required: { vi: 'Thiếu thông tin bắt buộc.', en: 'Required information is missing.' },
  tooLong: { vi: 'Chữ quá dài.', en: 'The text is too long.' },
  phoneFormat: { vi: 'Số điện thoại không đúng dạng.', en: 'The phone number is not in a valid form.' },
  birthYearRange: { vi: 'Năm sinh phải từ 1930 tới năm nay.', en: 'The birth year must be between 1930 and this year.' },
  dateFormat: { vi: 'Không đọc được ngày (viết ngày/tháng/năm, ví dụ 05/03/2023).', en: 'Not a date the app can read (write day/month/year, e.g. 05/03/2023).' },
  dateInvalid: { vi: 'Ngày này không có trên lịch.', en: 'This day is not on the calendar.' },
  dateFuture: { vi: 'Ngày sau hôm nay.', en: 'The date is after today.' },
  valueUnmapped: { vi: 'Chưa chọn nghĩa cho chữ này (ở bước "Nghĩa của chữ trong sổ").', en: 'No meaning chosen for this word yet (in "What the sheet\'s words mean").' },
  codeMalformed: { vi: 'Mã thân chủ không đúng dạng (ví dụ LAHU98-1).', en: 'The client code is not in the app\'s form (e.g. LAHU98-1).' },
  codeParts: { vi: 'Không có mã, cũng không có tên cha mẹ để lập mã.', en: 'No code, and no parents\' names to build one from.' },
  wardUnknown: { vi: 'Không tìm thấy phường/xã này; hồ sơ được nhập không có phường/xã.', en: 'This ward was not found; the record is imported without a ward.' },
  wardSplit: { vi: 'Phường cũ này nay thuộc nhiều phường mới: hãy chọn phường mới; nếu không, hồ sơ được nhập không có phường/xã.', en: 'This old ward is now part of several new wards: choose one; otherwise the record is imported without a ward.' },
  child: { vi: 'Thân chủ dưới 18 tuổi: hãy đăng ký trực tiếp theo quy trình bảo vệ trẻ em, không nhập từ sổ.', en: 'Under 18: register her directly on the child-protection path, not by import.' },
  ageUnclear: { vi: 'Năm nay thân chủ tròn 18 tuổi, chưa rõ đã qua sinh nhật chưa: cần ngày sinh, hoặc đăng ký trực tiếp.', en: 'She turns 18 this year and it is not known whether her birthday has passed: give her birth date, or register her directly.' },
  differsFromFirstRow: { vi: 'Thông tin khác với dòng đầu của cùng hồ sơ; giữ thông tin dòng đầu.', en: 'Differs from the first row of the same file number; the first row\'s details are kept.' },
  noServices: { vi: 'Lần gặp không ghi dịch vụ nào nên không được nhập.', en: 'The visit names no service, so it is not imported.' },
  consentMissing: { vi: 'Không có ngày ký đồng ý, và chưa xác nhận rằng phiếu đồng ý có trên giấy.', en: 'No consent date, and no statement that the consent is on paper.' },
  consentAfterToday: { vi: 'Ngày ký đồng ý sau hôm nay.', en: 'The consent date is after today.' },
  consentExpired: { vi: 'Đồng ý trên giấy đã hết hạn: cán bộ phụ trách sẽ được nhắc xin lại ở lần gặp tới.', en: 'The paper consent has expired: her worker will be reminded to renew it at the next visit.' },
  duplicateReferral: { vi: 'Lần chuyển gửi này (cùng ngày, cùng dịch vụ) đã có, không nhập lại.', en: 'This referral (same day, same service) is already there; not imported again.' },
  noReferralService: { vi: 'Lần chuyển gửi không ghi dịch vụ (hoặc chữ chưa có nghĩa) nên không được nhập.', en: 'The referral names no service (or a word without a meaning yet), so it is not imported.' },
  duplicateVisit: { vi: 'Lần gặp này (cùng ngày, cùng dịch vụ) đã có, không nhập lại.', en: 'This visit (same day, same services) is already there; not imported again.' },
  contactConsent: { vi: 'Số điện thoại không được nhập: cần thân chủ đồng ý cho liên lạc, ghi ở lần gặp tới.', en: 'The phone number is not imported: it needs her consent to be contacted, recorded at her next visit.' },
  recordRestricted: { vi: 'Hồ sơ đã có đang tạm khoá theo yêu cầu của thân chủ: không gộp được.', en: 'The existing record is restricted at her request: nothing can be merged into it.' },
  recordNoConsent: { vi: 'Hồ sơ đã có không còn đồng ý lập hồ sơ đang hiệu lực: không gộp được cho tới khi thân chủ đồng ý lại.', en: 'The existing record has no case-record consent in force: nothing can be merged into it until she consents again.' },
  recordClosed: { vi: 'Hồ sơ đã có đã đóng: mở lại hồ sơ trước khi gộp.', en: 'The existing record is closed: reopen it before merging.' },
  decisionNeeded: { vi: 'Trùng với hồ sơ đã có hoặc một dòng trước: chọn bỏ qua, gộp, hay là người khác.', en: 'Same person as an existing record or an earlier row: choose skip, merge or a different person.' },
};

/* Merging two records of one person (a manager's decision, side by side). */

export const mergeSideSchema = z.object({
  id: z.number(),
  code: z.string(),
  alias: z.string(),
  birthYear: z.number(),
  sex: z.enum(SEXES),
  status: z.enum(['open', 'closed']),
  registeredOn: z.string(),
  workerName: z.string().nullable(),
  visits: z.number(),
});
export type MergeSide = z.infer<typeof mergeSideSchema>;

export const MERGE_REASONS = ['sameCode', 'sameAlias', 'closeAlias'] as const;
export const mergePairSchema = z.object({ a: mergeSideSchema, b: mergeSideSchema, reasons: z.array(z.enum(MERGE_REASONS)) });
export type MergePair = z.infer<typeof mergePairSchema>;

/** A record as the merge screen shows it: what differs is chosen field by field. Identity only for someone who may see it. */
export const mergeRecordSchema = z.object({
  id: z.number(),
  code: z.string(),
  alias: z.string(),
  birthYear: z.number(),
  sex: z.enum(SEXES),
  wardCode: z.number().nullable(),
  provinceCode: z.number().nullable(),
  workSetting: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  registeredOn: z.string(),
  workerName: z.string().nullable(),
  restricted: z.boolean(),
  counts: z.object({ visits: z.number(), referrals: z.number(), consents: z.number() }),
  /** Null: hidden from this person (she may state a reason to see it), or none kept. */
  identity: z.object({ legalName: z.string().nullable(), phone: z.string().nullable(), idNumber: z.string().nullable(), address: z.string().nullable() }).nullable(),
  hasIdentity: z.boolean(),
  /** What the record is now: sent back with the merge (nothing is merged over a change made meanwhile). */
  version: z.string(),
});
export type MergeRecord = z.infer<typeof mergeRecordSchema>;

const side = z.enum(['keep', 'other']);
export const mergeChoiceSchema = z
  .object({ alias: side.default('keep'), birthYear: side.default('keep'), sex: side.default('keep'), ward: side.default('keep'), workSetting: side.default('keep'), identity: side.nullable().default(null) })
  .strict();
export type MergeChoice = z.output<typeof mergeChoiceSchema>;

const pairInput = z.object({ keepId: idSchema, otherId: idSchema }).strict();

export const mergeChannels = {
  /** Records that may be one person (the same code's parts, the same alias and birth year, aliases a letter apart). */
  'merge.candidates': channel({
    input: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ pairs: z.array(mergePairSchema), total: z.number() }),
    access: 'clients.import',
    audit: 'read',
    errors: [],
  }),
  /** The two records side by side. */
  'merge.compare': channel({
    input: pairInput,
    output: z.object({ keep: mergeRecordSchema, other: mergeRecordSchema, identityVisible: z.boolean() }),
    access: 'clients.import',
    audit: 'read',
    errors: ['CLIENT_NOT_FOUND', 'CLIENT_MERGED'],
  }),
  /** Make them one: the kept record takes the choices and everything the other held; the other's number leads to it. */
  'merge.apply': channel({
    input: pairInput.extend({ take: mergeChoiceSchema.default({ alias: 'keep', birthYear: 'keep', sex: 'keep', ward: 'keep', workSetting: 'keep', identity: null }), versions: z.object({ keep: z.string(), other: z.string() }).strict() }).strict(),
    output: z.object({ clientId: z.number() }),
    access: 'clients.import',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CLIENT_MERGED', 'CLIENT_RESTRICTED', 'CASE_CLOSED', 'RECORD_CHANGED', 'MERGE_IDENTITY_HIDDEN'],
  }),
} as const;
