import type { ParsedImportPlan } from '../../contract/import.ts';

/** The plan as written: someone holds the cases. */
type WritePlan = ParsedImportPlan & { workerId: number };
import type { SqlDialect } from '../db/dialect.ts';
import type { Db } from '../db/schema.ts';
import { writeConsent } from '../clients/consent.ts';
import { identityRow } from '../clients/register.ts';
import { insertVisit } from '../care/visits.ts';
import { recordFirstHolder } from '../records/holding.ts';
import { refreshClientSummary } from '../records/access.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';
import type { ImportReading, PlannedClient, PlannedReferral, PlannedVisit } from './import-plan.ts';
import { OPEN_REFERRAL_STATUSES } from '../../contract/vocabulary.ts';

/*
 * What an import writes, inside the call's one transaction: each new person as registration
 * writes her (her record, her paper consent under the "before the app" text, her identity, the
 * case opened and held), her visits, and the visits merged into records already in the app.
 * A failure anywhere rolls all of it back. `beat` is called between people, so the caller can
 * report progress and stop.
 */

export interface ImportStamp {
  /** The manager importing. */
  userId: number;
  at: string;
  today: string;
  language: 'vi' | 'en';
}

export async function writeImport(
  db: Db,
  columns: ColumnSealer,
  dialect: SqlDialect,
  reading: Pick<ImportReading, 'create' | 'merge'>,
  plan: WritePlan,
  by: ImportStamp,
  beat: (done: number) => Promise<void>,
): Promise<{ codes: string[] }> {
  let done = 0;
  const codes: string[] = [];
  for (const client of reading.create) {
    const clientId = await writeClient(db, columns, dialect, client, plan, by);
    codes.push(client.code);
    done += 1 + client.visits.length + client.referrals.length;
    if (clientId) await beat(done);
  }
  for (const [clientId, { visits, referrals, workerId }] of reading.merge) {
    await writeVisits(db, columns, dialect, clientId, visits, workerId ?? plan.workerId, by);
    await writeReferrals(db, clientId, referrals, by);
    await refreshClientSummary(db, clientId, referrals.length ? ['contact', 'referrals'] : ['contact']);
    done += visits.length + referrals.length;
    await beat(done);
  }
  return { codes };
}

/** The work an import is, in the units `beat` counts: people and visits. */
export const importWork = (reading: Pick<ImportReading, 'create' | 'merge'>) =>
  reading.create.reduce((sum, client) => sum + 1 + client.visits.length + client.referrals.length, 0) +
  [...reading.merge.values()].reduce((sum, merged) => sum + merged.visits.length + merged.referrals.length, 0);

async function writeClient(db: Db, columns: ColumnSealer, dialect: SqlDialect, client: PlannedClient, plan: WritePlan, by: ImportStamp): Promise<number> {
  const id = await columns.newId(db, 'client');
  const { id: clientId } = await db
    .insertInto('client')
    .values({
      ...givenId(id),
      code: columns.seal('client', 'code', id, client.code),
      code_lookup: columns.codeLookup(client.code),
      alias: columns.seal('client', 'alias', id, client.alias),
      alias_folded: columns.searchCopy(client.alias) ?? undefined,
      birth_year: client.birthYear,
      sex: client.sex,
      ward_code: client.wardCode,
      province_code: null,
      work_setting: null,
      child_path: 0,
      status: 'open',
      assigned_worker_id: plan.workerId,
      registered_on: client.registeredOn,
      registered_by: by.userId,
      // Her summary as the list reads it, known here (no follow-up or referral comes with her).
      last_contact_on: client.visits.reduce<string | null>((last, visit) => (last === null || visit.visitOn > last ? visit.visitOn : last), null),
      open_referrals: client.referrals.filter((referral) => OPEN_REFERRAL_STATUSES.includes(referral.status)).length,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const paper = { method: 'written', givenBy: 'client', witness: null, paperKeptAt: plan.paperKeptAt, language: by.language, givenOn: client.consent.givenOn } as const;
  const ledger = { clientId, partnerId: null, scope: [], input: paper, expiresOn: client.consent.expiresOn, recordedBy: by.userId, at: by.at };
  await writeConsent(db, columns, { ...ledger, purpose: 'case_record', version: 'case_record.before_app.v1' });
  if (plan.paperCoversReports) await writeConsent(db, columns, { ...ledger, purpose: 'reports', version: 'reports.before_app.v1' });
  if (client.identity) {
    await db
      .insertInto('client_identity')
      .values({ client_id: clientId, ...identityRow(columns, clientId, { ...client.identity, phone: null }), updated_at: by.at, updated_by: by.userId })
      .execute();
  }
  await db
    .insertInto('case_event')
    .values({ client_id: clientId, kind: 'opened', reason: null, worker_id: plan.workerId, on_date: client.registeredOn, by_user: by.userId, at: by.at })
    .execute();
  await recordFirstHolder(db, clientId, plan.workerId, client.registeredOn, by);
  await writeVisits(db, columns, dialect, clientId, client.visits, plan.workerId, by);
  await writeReferrals(db, clientId, client.referrals, by);
  return clientId;
}

async function writeVisits(db: Db, columns: ColumnSealer, dialect: SqlDialect, clientId: number, visits: readonly PlannedVisit[], workerId: number, by: ImportStamp): Promise<void> {
  for (const visit of [...visits].sort((a, b) => a.visitOn.localeCompare(b.visitOn))) {
    await insertVisit(db, columns, dialect, {
      clientId,
      visitOn: visit.visitOn,
      place: visit.place,
      outcome: null,
      note: null,
      workerId,
      at: by.at,
      serviceTypeIds: visit.serviceTypeIds,
      openFollowUps: false,
    });
  }
}

/**
 * Referrals as the register kept them: made on their date, with what became of them on that same
 * date (the register has one), no partner named (naming one needs her consent to share) and no
 * due date.
 */
async function writeReferrals(db: Db, clientId: number, referrals: readonly PlannedReferral[], by: ImportStamp): Promise<void> {
  for (const referral of referrals) {
    const reached = (statuses: readonly string[]) => (statuses.includes(referral.status) ? referral.on : null);
    await db
      .insertInto('referral')
      .values({
        client_id: clientId,
        partner_id: null,
        service_type_id: referral.serviceTypeId,
        consent_id: null,
        status: referral.status,
        proposed_on: referral.on,
        sent_on: reached(['sent', 'received', 'completed']),
        received_on: reached(['received', 'completed']),
        completed_on: reached(['completed']),
        declined_on: reached(['declined']),
        lost_on: reached(['lost']),
        due_on: null,
        note: null,
        created_by: by.userId,
        created_at: by.at,
      })
      .execute();
  }
}
