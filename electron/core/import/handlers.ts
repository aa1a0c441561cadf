import { CELL_PROBLEM_WORDS, MAX_SAVED_MAPPINGS, type ColumnTarget, type ImportFileView, type MergeRecord, type ParsedImportPlan, type PreviewRow, type ValueMaps } from '../../contract/import.ts';
import { AppError } from '../app-error.ts';
import { today } from '../clock.ts';
import type { Core } from '../core.ts';
import type { Db } from '../db/schema.ts';
import type { Feature } from '../feature.ts';
import { writeFileAtomic } from '../files.ts';
import type { HandlerContext, HandlerMap } from '../gate/types.ts';
import { clientIndexOf } from '../clients/client-index.ts';
import { sessionSlot } from '../session-state.ts';
import { suggestColumns, wordKey } from './column-guess.ts';
import { readUnderPlan, referralKey, visitKey, type AppFacts, type ImportReading } from './import-plan.ts';
import { importWork, writeImport } from './import-write.ts';
import { assertDifferent, mergeCandidates, mergeRecords } from './merge.ts';
import { fingerprintKey, fingerprintOf } from '../erasure/erasure.ts';
import { activeConsent, clientWithRestriction, mayReadRestricted, REVEALED_CLIENTS } from '../records/access.ts';
import { assertUnchanged, versionOf } from '../records/versions.ts';
import { IMPORT_MAPPINGS_SETTING } from '../vault/column-sealers.ts';
import { putSetting, settingValue } from '../db/setting-store.ts';
import { readSheetFile, type SheetFile, type SheetTable } from './sheet-file.ts';
import { csvLine } from '../reports/exports/csv.ts';
import { readSettings } from '../settings/centre-settings.ts';

/*
 * The import's channels. The file read is kept in the session (never written anywhere) until
 * another is opened, the import is closed, or the app locks.
 */

type ImportChannels = 'import.open' | 'import.preview' | 'import.commit' | 'import.saveProblems' | 'import.close' | 'import.mappings' | 'import.saveMapping' | 'import.deleteMapping' | 'merge.candidates' | 'merge.compare' | 'merge.apply';

const OPEN_FILE = sessionSlot<SheetFile | null>('import.file', () => null);

/** A saved way of reading a register, as kept (sealed on a server). */
interface StoredMapping {
  name: string;
  savedAt: string;
  savedBy: number;
  /** Each mapped column by its header's words. */
  columns: { header: string; target: ColumnTarget }[];
  values: ValueMaps;
  defaultPlace: ParsedImportPlan['defaultPlace'];
}

async function readMappings(ctx: HandlerContext): Promise<StoredMapping[]> {
  const text = ctx.core.vault.columns.openSecretSetting(IMPORT_MAPPINGS_SETTING, await settingValue(ctx.db, IMPORT_MAPPINGS_SETTING));
  return text ? (JSON.parse(text) as StoredMapping[]) : [];
}

async function writeMappings(ctx: HandlerContext, mappings: StoredMapping[]): Promise<void> {
  const value = ctx.core.vault.columns.secretSetting(IMPORT_MAPPINGS_SETTING, JSON.stringify(mappings));
  await putSetting(ctx.db, IMPORT_MAPPINGS_SETTING, value, { userId: ctx.requireSession().id, at: ctx.core.nowIso() });
}

/** How many sample values a column shows. */
const SAMPLES = 3;

function openFile(ctx: HandlerContext): SheetFile {
  const file = ctx.core.state.get(OPEN_FILE);
  if (!file) throw new AppError('IMPORT_NOT_OPEN');
  return file;
}

/** The sheet a plan names (`plan.sheet`, or a mapping's `sheet`): refused as input when the file has none such. */
function sheetOf(file: SheetFile, index: number, path = 'plan.sheet'): SheetTable {
  const sheet = file.sheets[index];
  if (!sheet) throw new AppError('VALIDATION', { issues: [{ path, message: 'invalid' }] });
  return sheet;
}

async function catalogue(db: Db) {
  const rows = await db.selectFrom('service_type').select(['id', 'code', 'name_vi', 'name_en', 'active']).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, code: row.code, nameVi: row.name_vi, nameEn: row.name_en, active: row.active === 1 }));
}

/** The person who will hold the imported cases: an active worker. */
async function assertHolder(db: Db, workerId: number): Promise<void> {
  const user = await db
    .selectFrom('user')
    .select(['active'])
    .where('id', '=', workerId)
    .where((eb) => eb.exists(eb.selectFrom('user_role').select('user_role.user_id').whereRef('user_role.user_id', '=', 'user.id').where('user_role.role', '=', 'worker')))
    .executeTakeFirst();
  if (!user) throw new AppError('USER_NOT_FOUND');
  if (user.active !== 1) throw new AppError('USER_INACTIVE');
}

/** What the reading needs of the app, as this call's transaction sees it. */
async function appFacts(ctx: HandlerContext): Promise<AppFacts> {
  const db = ctx.db;
  const index = await clientIndexOf(ctx.core);
  const codes = new Map<string, number>();
  if (index) for (const [code, id] of index.codes()) codes.set(code, id);
  else {
    // On the file a code is its text (fileSealer).
    for (const row of await db.selectFrom('client').select(['id', 'code']).where('code', 'is not', null).execute()) codes.set(row.code as unknown as string, row.id);
  }
  return {
    today: today(ctx.core.clock),
    catalogue: await catalogue(db),
    codes,
    async records(clientIds) {
      const on = today(ctx.core.clock);
      const found = new Map<number, { writable: 'yes' | 'restricted' | 'closed' | 'noConsent'; workerId: number | null; visits: Set<string> }>();
      for (let at = 0; at < clientIds.length; at += 500) {
        const ids = clientIds.slice(at, at + 500);
        const clients = await db
          .selectFrom('client')
          .select(['id', 'status', 'assigned_worker_id'])
          .select((eb) => eb.exists(eb.selectFrom('restriction').select('restriction.id').whereRef('restriction.client_id', '=', 'client.id').where('restriction.ended_at', 'is', null)).as('restricted'))
          .where('id', 'in', ids)
          .execute();
        for (const client of clients) {
          // Her case-record consent in force today, as every write to her record asks (records/access.ts).
          const consented = (await activeConsent(db, client.id, 'case_record', on)) !== undefined;
          const writable = Number(client.restricted) ? 'restricted' : client.status !== 'open' ? 'closed' : consented ? 'yes' : 'noConsent';
          found.set(client.id, { writable, workerId: client.assigned_worker_id, visits: new Set() });
        }
        const services = await db
          .selectFrom('visit')
          .leftJoin('service', 'service.visit_id', 'visit.id')
          .select(['visit.id', 'visit.client_id', 'visit.visit_on', 'service.service_type_id'])
          .where('visit.client_id', 'in', ids)
          .execute();
        const visits = new Map<number, { clientId: number; on: string; types: number[] }>();
        for (const row of services) {
          const visit = visits.get(row.id) ?? { clientId: row.client_id, on: row.visit_on, types: [] };
          if (row.service_type_id !== null) visit.types.push(row.service_type_id);
          visits.set(row.id, visit);
        }
        for (const visit of visits.values()) found.get(visit.clientId)?.visits.add(visitKey(visit.on, visit.types));
        for (const referral of await db.selectFrom('referral').select(['client_id', 'proposed_on', 'service_type_id']).where('client_id', 'in', ids).execute()) {
          found.get(referral.client_id)?.visits.add(referralKey(referral.proposed_on, referral.service_type_id));
        }
      }
      return found;
    },
  };
}

/** An import of this very file done before: when and by whom (the trail keeps its SHA-256). */
async function importedBefore(db: Db, sha256: string): Promise<ImportFileView['importedBefore']> {
  const row = await db
    .selectFrom('audit_event')
    .leftJoin('user', 'user.id', 'audit_event.actor_user_id')
    .select(['audit_event.at', 'user.display_name'])
    .where('audit_event.action', '=', 'import.commit')
    .where('audit_event.outcome', '=', 'ok')
    .where('audit_event.target_type', '=', 'import_file')
    .where('audit_event.target_id', '=', sha256)
    .orderBy('audit_event.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { at: row.at, byName: row.display_name } : null;
}

/** The open file's sheet read under the plan, as the app is now (the holder checked when named). */
async function reading(ctx: HandlerContext, plan: ParsedImportPlan): Promise<ImportReading> {
  const sheet = sheetOf(openFile(ctx), plan.sheet);
  if (plan.workerId !== null) await assertHolder(ctx.db, plan.workerId);
  return readUnderPlan(sheet, plan, await appFacts(ctx));
}

const hasProblem = (row: PreviewRow) => row.issues.length > 0;

/** The saved list of rows not imported or imported in part: row, column, problem in words; never a cell's text. */
function problemsCsv(sheet: SheetTable, rows: readonly PreviewRow[], language: 'vi' | 'en', headerKnown: readonly boolean[], separator: string): string {
  const header = language === 'vi' ? ['Dòng', 'Cột', 'Mức', 'Vấn đề'] : ['Row', 'Column', 'Level', 'Problem'];
  const level = { error: language === 'vi' ? 'Không nhập' : 'Not imported', warning: language === 'vi' ? 'Lưu ý' : 'Note' };
  const lines = [csvLine(header, separator)];
  for (const row of rows) {
    for (const issue of row.issues) {
      // A header the app does not know may be a row of data (a sheet without one): its number only.
      const column = issue.column === null ? '' : headerKnown[issue.column] ? sheet.columns[issue.column]!.header : `#${issue.column + 1}`;
      lines.push(csvLine([row.rowNumber, column, level[issue.severity], CELL_PROBLEM_WORDS[issue.problem][language]], separator));
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Every so many people and visits, the import says how far it has come and lets the thread answer. */
const BEAT_EVERY = 250;

export const importHandlers: Pick<HandlerMap, ImportChannels> = {
  'import.open': async (_input, ctx) => {
    if (!ctx.chosenPath) return null;
    // The one open before is let go first, whatever this one gives.
    ctx.core.state.set(OPEN_FILE, null);
    const file = await readSheetFile(ctx.chosenPath);
    ctx.core.state.set(OPEN_FILE, file);
    ctx.note({ targetType: 'import_file', targetId: file.sha256, detail: { kind: file.kind, bytes: file.bytes, sheets: file.sheets.length } });
    const types = await catalogue(ctx.db);
    return {
      kind: file.kind,
      sha256: file.sha256,
      bytes: file.bytes,
      importedBefore: await importedBefore(ctx.db, file.sha256),
      sheets: file.sheets.map((sheet) => {
        const suggested = suggestColumns(
          sheet.columns.map((column) => column.header),
          types.filter((type) => type.active),
        );
        return {
          name: sheet.name,
          rows: sheet.rows.length,
          headerRow: sheet.headerRow,
          columns: sheet.columns.map((column, i) => ({
            header: column.header,
            encoding: column.encoding,
            samples: sheet.rows
              .map((row) => row[i])
              .filter((value) => value !== null && value !== undefined && String(value).trim() !== '')
              .slice(0, SAMPLES)
              .map((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).normalize('NFC').trim())),
            suggested: suggested[i] ?? null,
          })),
        };
      }),
    };
  },

  'import.preview': async (input, ctx) => {
    const read = await reading(ctx, input.plan);
    ctx.note({ targetType: 'import_file', targetId: openFile(ctx).sha256 });
    const shown = read.rows.filter((row) => (input.show === 'all' ? true : input.show === 'problems' ? hasProblem(row) : row.outcome === input.show));
    return {
      counts: read.counts,
      values: read.values,
      wardChoices: read.wardChoices,
      missing: read.missing,
      rows: shown.slice(input.offset, input.offset + input.limit),
      total: shown.length,
    };
  },

  'import.commit': async (input, ctx) => {
    const session = ctx.requireSession();
    const file = openFile(ctx);
    ctx.note({ targetType: 'import_file', targetId: file.sha256 });
    if (file.sha256 !== input.sha256) throw new AppError('IMPORT_FILE_CHANGED');
    if (input.plan.workerId === null) throw new AppError('IMPORT_HOLDER_NEEDED');
    const read = await reading(ctx, input.plan);
    if (ctx.core.stopAsked) throw new AppError('CALL_STOPPED');
    if (read.counts.undecided > 0) throw new AppError('IMPORT_DECISIONS_NEEDED');
    if (read.create.length === 0 && read.merge.size === 0) throw new AppError('IMPORT_NOTHING');
    const by = { userId: session.id, at: ctx.core.nowIso(), today: today(ctx.core.clock), language: session.language };
    const total = importWork(read);
    let beaten = 0;
    // The window sees how far it has come and may stop it (contract `stoppable`): a stopped import writes nothing.
    ctx.core.progress('import.commit', 0, total);
    const holderId = input.plan.workerId;
    await writeImport(ctx.db, ctx.core.vault.columns, ctx.core.vault.dialect, read, { ...input.plan, workerId: holderId }, by, async (done) => {
      if (done - beaten < BEAT_EVERY && done < total) return;
      beaten = done;
      ctx.core.progress('import.commit', done, total);
      // The thread answers between steps (the window asking to stop, among others).
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.core.stopAsked) throw new AppError('CALL_STOPPED');
    });
    const { counts } = read;
    const result = { clientsCreated: counts.clientsCreated, clientsMerged: counts.clientsMerged, visitsAdded: counts.visitsAdded, referralsAdded: counts.referralsAdded, rowsLeftOut: counts.error + counts.noConsent };
    ctx.note({
      targetType: 'import_file',
      targetId: file.sha256,
      detail: {
        kind: file.kind,
        bytes: file.bytes,
        rows: counts.rows,
        ...result,
        skipped: read.rows.filter((row) => row.decision === 'skip').length,
        consentBasis: input.plan.consentStatement ? 'statement' : 'column',
        paperCoversReports: input.plan.paperCoversReports,
        holder: input.plan.workerId,
      },
    });
    return result;
  },

  'import.saveProblems': async (input, ctx) => {
    const file = openFile(ctx);
    const sheet = sheetOf(file, input.plan.sheet);
    ctx.note({ targetType: 'import_file', targetId: file.sha256 });
    if (!ctx.chosenPath) return { saved: false, rows: 0 };
    const read = await reading(ctx, input.plan);
    const rows = read.rows.filter(hasProblem);
    const path = ctx.chosenPath;
    const known = suggestColumns(sheet.columns.map((column) => column.header), await catalogue(ctx.db)).map((target) => target !== null);
    // Separated as the centre's Excel expects (the setting its report CSVs use: ";" on Vietnamese Windows).
    const text = problemsCsv(sheet, rows, input.language, known, (await readSettings(ctx.db)).reportCsvSeparator);
    ctx.note({ targetType: 'import_file', targetId: file.sha256, detail: { rows: rows.length, language: input.language } });
    ctx.atCommit(() => writeFileAtomic(path, text));
    return { saved: true, rows: rows.length };
  },

  'merge.candidates': async (input, ctx) => {
    const pairs = await mergeCandidates(ctx.db, ctx.core.vault.columns);
    return { pairs: pairs.slice(input.offset, input.offset + input.limit), total: pairs.length };
  },

  'merge.compare': async (input, ctx) => {
    assertDifferent(input.keepId, input.otherId);
    const session = ctx.requireSession();
    const revealed = ctx.core.state.get(REVEALED_CLIENTS);
    const [keep, other] = [await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.keepId), await clientWithRestriction(ctx.db, ctx.core.vault.columns, input.otherId)];
    const visible = mayReadRestricted(keep.client, session, revealed) && mayReadRestricted(other.client, session, revealed);
    return { keep: await mergeRecordView(ctx, keep, visible), other: await mergeRecordView(ctx, other, visible), identityVisible: visible };
  },

  'merge.apply': async (input, ctx) => {
    assertDifferent(input.keepId, input.otherId);
    const session = ctx.requireSession();
    const { columns } = ctx.core.vault;
    ctx.note({ targetType: 'client', targetId: input.keepId, detail: { mergedFrom: input.otherId } });
    const keep = await clientWithRestriction(ctx.db, columns, input.keepId);
    const other = await clientWithRestriction(ctx.db, columns, input.otherId);
    // Nothing about someone whose request is being handled changes; nothing is merged over a change made meanwhile.
    if (keep.restricted || other.restricted) throw new AppError('CLIENT_RESTRICTED');
    // A closed case is reopened first: a merge neither closes nor reopens one.
    if (keep.client.status !== 'open' || other.client.status !== 'open') throw new AppError('CASE_CLOSED');
    assertUnchanged(input.versions.keep, (await mergeRecordView(ctx, keep, false)).version);
    assertUnchanged(input.versions.other, (await mergeRecordView(ctx, other, false)).version);
    const revealed = ctx.core.state.get(REVEALED_CLIENTS);
    const visible = mayReadRestricted(keep.client, session, revealed) && mayReadRestricted(other.client, session, revealed);
    if (input.take.identity !== null && !visible) throw new AppError('MERGE_IDENTITY_HIDDEN');
    // Two identities that differ: one of them is dropped, which nobody may do unseen.
    const identities = columns.openRows('client_identity', await ctx.db.selectFrom('client_identity').selectAll().where('client_id', 'in', [keep.client.id, other.client.id]).execute());
    const shown = (row: (typeof identities)[number] | undefined) => JSON.stringify(row ? [row.legal_name, row.phone, row.id_number, row.address] : null);
    const [keptIdentity, otherIdentity] = [identities.find((row) => row.client_id === keep.client.id), identities.find((row) => row.client_id === other.client.id)];
    if (keptIdentity && otherIdentity && shown(keptIdentity) !== shown(otherIdentity) && !visible) throw new AppError('MERGE_IDENTITY_HIDDEN');
    const key = await fingerprintKey(ctx.db, ctx.core);
    const otherFingerprint = fingerprintOf(key, other.client);
    key.fill(0);
    const { moved } = await mergeRecords(ctx.db, columns, {
      keep: keep.client,
      other: other.client,
      otherFingerprint,
      take: input.take,
      identityFrom: input.take.identity ?? 'keep',
      by: { userId: session.id, at: ctx.core.nowIso(), today: today(ctx.core.clock), language: session.language },
    });
    const fromOther = (Object.entries(input.take) as [string, string | null][]).filter(([, from]) => from === 'other').map(([field]) => field);
    const movedRows = Object.values(moved).reduce((sum, count) => sum + count, 0);
    ctx.note({ targetType: 'client', targetId: input.keepId, detail: { mergedFrom: input.otherId, fromOther, movedRows } });
    return { clientId: input.keepId };
  },

  'import.mappings': async (input, ctx) => {
    const sheet = sheetOf(openFile(ctx), input.sheet, 'sheet');
    const saved = await readMappings(ctx);
    const names = new Map<number, string>();
    for (const row of await ctx.db.selectFrom('user').select(['id', 'display_name']).where('id', 'in', [0, ...saved.map((mapping) => mapping.savedBy)]).execute()) names.set(row.id, row.display_name);
    const mappings = saved.map((mapping) => {
      const byHeader = new Map(mapping.columns.map((column) => [column.header, column.target]));
      const columns = sheet.columns.map((column) => byHeader.get(wordKey(column.header)) ?? null);
      const matched = sheet.columns.filter((column) => byHeader.has(wordKey(column.header))).length;
      return { name: mapping.name, savedAt: mapping.savedAt, byName: names.get(mapping.savedBy) ?? null, columns, matched, values: mapping.values, defaultPlace: mapping.defaultPlace };
    });
    // The ones that know most of this sheet first.
    return { mappings: mappings.sort((a, b) => b.matched - a.matched || a.name.localeCompare(b.name, 'vi')) };
  },

  'import.saveMapping': async (input, ctx) => {
    const session = ctx.requireSession();
    const sheet = sheetOf(openFile(ctx), input.sheet, 'sheet');
    const saved = (await readMappings(ctx)).filter((mapping) => mapping.name !== input.name);
    if (saved.length >= MAX_SAVED_MAPPINGS) throw new AppError('IMPORT_MAPPINGS_FULL');
    const columns = sheet.columns.flatMap((column, i) => {
      const target = input.columns[i] ?? null;
      return target && column.header ? [{ header: wordKey(column.header), target }] : [];
    });
    // Only the words that were given a meaning are kept.
    const known = <T>(words: Record<string, T | null>) => Object.fromEntries(Object.entries(words).filter(([, meaning]) => meaning !== null));
    const values = { sex: known(input.values.sex), services: known(input.values.services), place: known(input.values.place), referralStatus: known(input.values.referralStatus) } as ValueMaps;
    saved.push({ name: input.name, savedAt: ctx.core.nowIso(), savedBy: session.id, columns, values, defaultPlace: input.defaultPlace });
    await writeMappings(ctx, saved);
    ctx.note({ detail: { columnsKept: columns.length } });
    return { saved: saved.length };
  },

  'import.deleteMapping': async (input, ctx) => {
    const saved = await readMappings(ctx);
    const kept = saved.filter((mapping) => mapping.name !== input.name);
    if (kept.length !== saved.length) await writeMappings(ctx, kept);
    return { deleted: kept.length !== saved.length };
  },

  'import.close': async (_input, ctx) => {
    const open = ctx.core.state.get(OPEN_FILE) !== null;
    ctx.core.state.set(OPEN_FILE, null);
    return { closed: open };
  },
};

/** A record as the merge screen shows it (identity only when `visible`), with what it is now. */
async function mergeRecordView(ctx: HandlerContext, found: Awaited<ReturnType<typeof clientWithRestriction>>, visible: boolean): Promise<MergeRecord> {
  const { client } = found;
  const db = ctx.db;
  const counts = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('visit').select((s) => s.fn.countAll<number>().as('n')).where('client_id', '=', client.id).as('visits'),
      eb.selectFrom('referral').select((s) => s.fn.countAll<number>().as('n')).where('client_id', '=', client.id).as('referrals'),
      eb.selectFrom('consent').select((s) => s.fn.countAll<number>().as('n')).where('client_id', '=', client.id).as('consents'),
      eb.selectFrom('user').select('display_name').where('user.id', '=', client.assigned_worker_id ?? 0).as('worker'),
    ])
    .executeTakeFirstOrThrow();
  const [identity] = ctx.core.vault.columns.openRows('client_identity', await db.selectFrom('client_identity').selectAll().where('client_id', '=', client.id).execute());
  const shown = identity && visible ? { legalName: identity.legal_name, phone: identity.phone, idNumber: identity.id_number, address: identity.address } : null;
  return {
    id: client.id,
    code: client.code,
    alias: client.alias,
    birthYear: client.birth_year,
    sex: client.sex as MergeRecord['sex'],
    wardCode: client.ward_code,
    provinceCode: client.province_code,
    workSetting: client.work_setting,
    status: client.status,
    registeredOn: client.registered_on,
    workerName: (counts.worker as string | null) ?? null,
    restricted: found.restricted,
    counts: { visits: Number(counts.visits), referrals: Number(counts.referrals), consents: Number(counts.consents) },
    identity: shown,
    hasIdentity: identity !== undefined,
    version: versionOf('client', client.id, [
      client.alias,
      client.birth_year,
      client.sex,
      client.ward_code,
      client.province_code,
      client.work_setting,
      client.status,
      client.assigned_worker_id,
      identity?.legal_name ?? null,
      identity?.phone ?? null,
      identity?.id_number ?? null,
      identity?.address ?? null,
      Number(counts.visits),
      Number(counts.referrals),
      Number(counts.consents),
    ]),
  };
}

/** The name the dialog offers for the list of rows not imported: neutral, dated. */
function problemsFileName(core: Core): { fileName: string; extension: string } {
  return { fileName: `danh-sach-dong-can-sua-${today(core.clock)}.csv`, extension: 'csv' };
}

export const importFeature: Feature = {
  handlers: importHandlers,
  hooks: { fileToSave: (core, channel) => (channel === 'import.saveProblems' ? problemsFileName(core) : null) },
};
