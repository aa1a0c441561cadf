import { clientCode } from '../../contract/client-code.ts';
import type { IdentityInput, RegisterClientInput } from '../../contract/clients.ts';
import { yearsSince } from '../../contract/vocabulary.ts';
import { AppError } from '../app-error.ts';
import { addToDate } from '../clock.ts';
import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';
import type { ClientIndex } from './client-index.ts';
import { recordConsent } from './consent.ts';
import { recordFirstHolder } from '../records/holding.ts';
import { refreshClientSummary } from '../records/access.ts';

/** Days within which a child's required child-protection referral should be sent. */
export const CHILD_REFERRAL_DUE_DAYS = 7;

/**
 * Under 18 follows the child-protection path. With only a birth year, someone turning 18 this
 * year may still be 17: the worker must say whether her birthday has passed.
 */
export function childPath(birthYear: number, turned18: boolean | null, today: string): boolean {
  const age = yearsSince(birthYear, today);
  if (age < 18) return true;
  if (age > 18) return false;
  if (turned18 === null) throw new AppError('AGE_UNCLEAR');
  return !turned18;
}

/**
 * Clients holding a code or one of its suffixed forms (`LAHU98-1`, `LAHU98-1.2`, …), the plain
 * one first: from SQL on the file, from the session's index on a server (where codes are sealed;
 * the server's unique code hash still refuses a second holder of one code).
 */
export async function holdersOfCode(db: Db, index: ClientIndex | null, base: string): Promise<{ id: number; code: string }[]> {
  if (index) return index.holdersOfCode(base);
  const taken = await db
    .selectFrom('client')
    .select(['id', 'code as sealed'])
    .where(sql<boolean>`code = ${base} or code like ${`${base}.%`}`)
    .orderBy('id')
    .execute();
  // On the file a code is its text (fileSealer).
  const holders = taken.map((row) => ({ id: row.id, code: row.sealed as unknown as string }));
  return holders.sort((a, b) => Number(b.code === base) - Number(a.code === base));
}

/** The code to store: the code of the parts, or, for a different person with the same parts, the next free suffix. */
async function codeFor(db: Db, index: ClientIndex | null, input: RegisterClientInput): Promise<string> {
  const base = clientCode({ motherName: input.motherName, fatherName: input.fatherName, birthYear: input.birthYear, sex: input.sex });
  const taken = await holdersOfCode(db, index, base);
  if (taken.length === 0) return base;
  if (!input.distinctFromExisting) throw new AppError('CLIENT_CODE_EXISTS', { clientId: taken[0]?.id });
  const suffixes = taken.map((row) => Number(row.code.split('.')[1] ?? 1));
  return `${base}.${Math.max(...suffixes) + 1}`;
}

export function identityRow(columns: ColumnSealer, clientId: number, identity: IdentityInput) {
  const seal = (column: 'legal_name' | 'phone' | 'id_number' | 'address', text: string | null) => columns.seal('client_identity', column, clientId, text);
  return {
    legal_name: seal('legal_name', identity.legalName),
    legal_name_folded: columns.searchCopy(identity.legalName || null),
    phone: seal('phone', identity.phone),
    id_number: seal('id_number', identity.idNumber),
    address: seal('address', identity.address),
  };
}

export function isEmptyIdentity(identity: IdentityInput): boolean {
  return !identity.legalName && !identity.phone && !identity.idNumber && !identity.address;
}

export async function registerClient(
  db: Db,
  columns: ColumnSealer,
  index: ClientIndex | null,
  input: RegisterClientInput & { turned18: boolean | null; distinctFromExisting: boolean; identity: IdentityInput | null; contactConsent: RegisterClientInput['consent'] | null; reportsConsent: RegisterClientInput['consent'] | null },
  by: { userId: number; at: string; today: string },
): Promise<{ clientId: number; code: string; childPath: boolean }> {
  const child = childPath(input.birthYear, input.turned18, by.today);
  const code = await codeFor(db, index, input);
  const lookup = columns.codeLookup(code);
  if (lookup !== undefined) {
    // The index may be a moment behind another PC: the server's own answer, read in this
    // transaction. A registration of the same code committed meanwhile at another PC then
    // conflicts with this one, which runs again and finds it.
    const holder = await db.selectFrom('client').select('id').where(sql<boolean>`code_lookup = ${lookup}`).executeTakeFirst();
    if (holder) throw new AppError('CLIENT_CODE_EXISTS', { clientId: holder.id });
  }
  const id = await columns.newId(db, 'client');
  const { id: clientId } = await db
    .insertInto('client')
    .values({
      ...givenId(id),
      code: columns.seal('client', 'code', id, code),
      code_lookup: columns.codeLookup(code),
      alias: columns.seal('client', 'alias', id, input.alias),
      alias_folded: columns.searchCopy(input.alias) ?? undefined,
      birth_year: input.birthYear,
      sex: input.sex,
      ward_code: input.wardCode,
      province_code: input.provinceCode,
      work_setting: input.workSetting,
      child_path: child ? 1 : 0,
      status: 'open',
      assigned_worker_id: by.userId,
      registered_on: input.consent.givenOn,
      registered_by: by.userId,
      open_referrals: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const consent = { clientId, partnerId: null, scope: [], childPath: child, recordedBy: by.userId, at: by.at, today: by.today, registeredOn: input.consent.givenOn };
  await recordConsent(db, columns, { ...consent, purpose: 'case_record', input: input.consent });
  if (input.reportsConsent) await recordConsent(db, columns, { ...consent, purpose: 'reports', input: input.reportsConsent });
  if (input.identity && !isEmptyIdentity(input.identity)) {
    if (input.identity.phone && !input.contactConsent) throw new AppError('CONSENT_REQUIRED');
    if (input.identity.phone && input.contactConsent) await recordConsent(db, columns, { ...consent, purpose: 'contact', input: input.contactConsent });
    await db
      .insertInto('client_identity')
      .values({ client_id: clientId, ...identityRow(columns, clientId, input.identity), updated_at: by.at, updated_by: by.userId })
      .execute();
  }
  await db
    .insertInto('case_event')
    .values({ client_id: clientId, kind: 'opened', reason: null, worker_id: by.userId, on_date: input.consent.givenOn, by_user: by.userId, at: by.at })
    .execute();
  await recordFirstHolder(db, clientId, by.userId, input.consent.givenOn, by);

  if (child) {
    // A child's record always carries a child-protection referral, to be sent within days.
    const type = await db.selectFrom('service_type').select('id').where('code', '=', 'child_protection').executeTakeFirstOrThrow();
    await db
      .insertInto('referral')
      .values({
        client_id: clientId,
        partner_id: null,
        service_type_id: type.id,
        consent_id: null,
        status: 'proposed',
        proposed_on: input.consent.givenOn,
        due_on: addToDate(by.today, { days: CHILD_REFERRAL_DUE_DAYS }),
        note: null,
        created_by: by.userId,
        created_at: by.at,
      })
      .execute();
  }
  await refreshClientSummary(db, clientId);
  return { clientId, code, childPath: child };
}
