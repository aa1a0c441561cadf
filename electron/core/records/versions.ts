import { createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../app-error.ts';

/*
 * What an editable record is now, as a short keyed digest of the values a form edits: given
 * with the record, sent back with the change, and compared in the change's own transaction. On
 * the centre's server that transaction is serialisable, so a change committed at another PC in
 * between either shows here (RECORD_CHANGED: nothing saved, the form shows what is there now)
 * or makes this transaction conflict and run again, when it shows. Nothing is overwritten
 * silently. The key is this process's own, so a version says nothing about the values outside it
 * (the form that opened the record and the call that saves it are on the same PC).
 */

const KEY = randomBytes(32);

export type VersionedRecord = 'client' | 'identity' | 'visit' | 'partner' | 'serviceType' | 'user' | 'settings' | 'savedFilter';

export function versionOf(kind: VersionedRecord, id: number, values: readonly unknown[]): string {
  return createHmac('sha256', KEY).update(JSON.stringify([kind, id, ...values])).digest().subarray(0, 16).toString('base64url');
}

/** The change was made on the record as it is now, or nothing is saved. */
export function assertUnchanged(sent: string, now: string): void {
  if (sent !== now) throw new AppError('RECORD_CHANGED');
}

/** The details of a record a form edits (alias, ward, province, work setting). */
export const clientDetailsVersion = (client: { id: number; alias: string; ward_code: number | null; province_code: number | null; work_setting: string | null }): string =>
  versionOf('client', client.id, [client.alias, client.ward_code, client.province_code, client.work_setting]);

/** Her identity as it is kept (null when none is). */
export const identityVersion = (clientId: number, row: { legal_name: string | null; phone: string | null; id_number: string | null; address: string | null } | undefined): string =>
  versionOf('identity', clientId, [row?.legal_name ?? null, row?.phone ?? null, row?.id_number ?? null, row?.address ?? null]);

/** A visit as recorded: date, place, services, outcome and note. */
export const visitVersion = (visit: { id: number; visit_on: string; place: string; outcome: string | null; note: string | null }, serviceTypeIds: readonly number[]): string =>
  versionOf('visit', visit.id, [visit.visit_on, visit.place, [...serviceTypeIds].sort((a, b) => a - b), visit.outcome, visit.note]);

/** A partner as an administrator or manager edits it. */
export const partnerVersion = (partner: { id: number; name: string; kind: string; ward_code: number | null; contact: string | null; active: number }): string =>
  versionOf('partner', partner.id, [partner.name, partner.kind, partner.ward_code, partner.contact, partner.active]);

/** A service type's group and names, as the catalogue's form edits them (not how often it was used, nor whether it is offered). */
export const serviceTypeVersion = (type: { id: number; service_group: string; name_vi: string; name_en: string }): string =>
  versionOf('serviceType', type.id, [type.service_group, type.name_vi, type.name_en]);

/** An account's name and roles, as the users' form edits them (not her logins, nor her password). */
export const userVersion = (user: { id: number; display_name: string }, roles: readonly string[]): string => versionOf('user', user.id, [user.display_name, [...roles].sort()]);

/** A person's working list: its name and the filters it keeps (as stored). */
export const savedFilterVersion = (list: { id: number; name: string; filters: string }): string => versionOf('savedFilter', list.id, [list.name, list.filters]);
