import { clientCode } from '../../contract/client-code.ts';
import type { IdentityInput, RegisterClientInput } from '../../contract/clients.ts';
import { foldForSearch } from '../../contract/text.ts';
import { yearsSince } from '../../contract/vocabulary.ts';
import { AppError } from '../app-error.ts';
import { addToDate } from '../clock.ts';
import type { Db } from '../db/schema.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';
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

/** Clients holding a code or one of its suffixed forms (`LAHU98-1`, `LAHU98-1.2`, …), the plain one first. */
export async function holdersOfCode(db: Db, base: string) {
  const taken = await db
    .selectFrom('client')
    .select(['id', 'code'])
    .where((eb) => eb.or([eb('code', '=', base), eb('code', 'like', `${base}.%`)]))
    .orderBy('id')
    .execute();
  return taken.sort((a, b) => Number(b.code === base) - Number(a.code === base));
}

/** The code to store: the code of the parts, or, for a different person with the same parts, the next free suffix. */
async function codeFor(db: Db, input: RegisterClientInput): Promise<string> {
  const base = clientCode({ motherName: input.motherName, fatherName: input.fatherName, birthYear: input.birthYear, sex: input.sex });
  const taken = await holdersOfCode(db, base);
  if (taken.length === 0) return base;
  if (!input.distinctFromExisting) throw new AppError('CLIENT_CODE_EXISTS', { clientId: taken[0]?.id });
  const suffixes = taken.map((row) => Number(row.code.split('.')[1] ?? 1));
  return `${base}.${Math.max(...suffixes) + 1}`;
}

export function identityRow(identity: IdentityInput) {
  return {
    legal_name: identity.legalName,
    legal_name_folded: identity.legalName ? foldForSearch(identity.legalName) : null,
    phone: identity.phone,
    id_number: identity.idNumber,
    address: identity.address,
  };
}

export function isEmptyIdentity(identity: IdentityInput): boolean {
  return !identity.legalName && !identity.phone && !identity.idNumber && !identity.address;
}

export async function registerClient(
  db: Db,
  columns: ColumnSealer,
  input: RegisterClientInput & { turned18: boolean | null; distinctFromExisting: boolean; identity: IdentityInput | null; contactConsent: RegisterClientInput['consent'] | null; reportsConsent: RegisterClientInput['consent'] | null },
  by: { userId: number; at: string; today: string },
): Promise<{ clientId: number; code: string; childPath: boolean }> {
  const child = childPath(input.birthYear, input.turned18, by.today);
  const code = await codeFor(db, input);
  const { id: clientId } = await db
    .insertInto('client')
    .values({
      code,
      alias: input.alias,
      alias_folded: foldForSearch(input.alias),
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
      .values({ client_id: clientId, ...identityRow(input.identity), updated_at: by.at, updated_by: by.userId })
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
