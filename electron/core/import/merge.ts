import type { MergeChoice, MergePair, MergeSide } from '../../contract/import.ts';
import { foldForSearch } from '../../contract/text.ts';
import { AppError } from '../app-error.ts';
import type { Db } from '../db/schema.ts';
import { writeConsent } from '../clients/consent.ts';
import { identityRow, isEmptyIdentity } from '../clients/register.ts';
import { CLIENT_TABLES } from '../records/deidentify.ts';
import { recordChanges } from '../records/history.ts';
import { refreshClientSummary } from '../records/access.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';
import type { ConsentTextVersion } from '../../contract/consent-texts.ts';
import type { ConsentInput } from '../../contract/clients.ts';
import type { ConsentPurpose } from '../../contract/vocabulary.ts';

/*
 * Two records of one person made one (a manager's decision, side by side): the record that
 * stays takes, field by field, what the manager chose, and everything the other held (visits
 * and their services, referrals, follow-ups, consents, case events, who held it, offers,
 * reviews, the history of corrections, stated reasons, group attendance). Its strongest current
 * consent per purpose stays current. The other record is then gone; its number leads to the one
 * that stayed (`merged_client`). Reports count her once, as one client. Nothing erased comes
 * back: an erased or de-identified record is no longer there to merge.
 */

/** Candidates are looked for among at most this many pairs per reason. */
const MAX_PAIRS = 500;

interface Row {
  id: number;
  code: string;
  alias: string;
  birth_year: number;
  sex: string;
  status: string;
  registered_on: string;
  worker: string | null;
  visits: number;
}

function side(row: Row): MergeSide {
  return { id: row.id, code: row.code, alias: row.alias, birthYear: row.birth_year, sex: row.sex as MergeSide['sex'], status: row.status as MergeSide['status'], registeredOn: row.registered_on, workerName: row.worker, visits: row.visits };
}

/** One edit (replace, insert or delete a letter) apart at most. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  return restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1);
}

/**
 * Pairs of records that may be one person: the same code's parts (a code and its suffixed
 * forms), the same alias and birth year, or aliases one letter apart with the same birth year
 * and sex. What is shown is what the list shows anyway (code, alias, year): never identity.
 */
export async function mergeCandidates(db: Db, columns: ColumnSealer): Promise<MergePair[]> {
  const rows = await db
    .selectFrom('client')
    .leftJoin('user', 'user.id', 'client.assigned_worker_id')
    .select(['client.id', 'client.code', 'client.alias', 'client.birth_year', 'client.sex', 'client.status', 'client.registered_on', 'user.display_name as worker'])
    .select((eb) => eb.selectFrom('visit').select((s) => s.fn.countAll<number>().as('n')).whereRef('visit.client_id', '=', 'client.id').as('visits'))
    .execute();
  const clients = columns.openRows('client', rows).map((row) => ({ ...row, visits: Number(row.visits) }) as Row);
  const pairs = new Map<string, MergePair>();
  const add = (a: Row, b: Row, reason: MergePair['reasons'][number]) => {
    const [first, second] = a.id < b.id ? [a, b] : [b, a];
    const key = `${first.id}:${second.id}`;
    const pair = pairs.get(key) ?? { a: side(first), b: side(second), reasons: [] };
    if (!pair.reasons.includes(reason)) pair.reasons.push(reason);
    pairs.set(key, pair);
  };
  const groups = (keyOf: (row: Row) => string | null) => {
    const by = new Map<string, Row[]>();
    for (const row of clients) {
      const key = keyOf(row);
      if (key !== null) by.set(key, [...(by.get(key) ?? []), row]);
    }
    return [...by.values()].filter((group) => group.length > 1);
  };
  let found = 0;
  for (const group of groups((row) => row.code.split('.')[0] ?? null)) {
    for (let i = 0; i < group.length && found < MAX_PAIRS; i++) for (let j = i + 1; j < group.length && found < MAX_PAIRS; j++, found++) add(group[i]!, group[j]!, 'sameCode');
  }
  found = 0;
  const aliasKey = (row: Row) => foldForSearch(row.alias);
  for (const group of groups((row) => `${aliasKey(row)}|${row.birth_year}`)) {
    for (let i = 0; i < group.length && found < MAX_PAIRS; i++) for (let j = i + 1; j < group.length && found < MAX_PAIRS; j++, found++) add(group[i]!, group[j]!, 'sameAlias');
  }
  found = 0;
  for (const group of groups((row) => `${row.birth_year}|${row.sex}`)) {
    const sorted = group.map((row) => ({ row, key: aliasKey(row) })).filter((entry) => entry.key.length >= 4);
    for (let i = 0; i < sorted.length && found < MAX_PAIRS; i++) {
      for (let j = i + 1; j < sorted.length && found < MAX_PAIRS; j++) {
        const [a, b] = [sorted[i]!, sorted[j]!];
        if (a.key !== b.key && withinOneEdit(a.key, b.key)) {
          add(a.row, b.row, 'closeAlias');
          found++;
        }
      }
    }
  }
  const weight = { sameCode: 3, sameAlias: 2, closeAlias: 1 } as const;
  const score = (pair: MergePair) => pair.reasons.reduce((sum, reason) => sum + weight[reason], 0);
  return [...pairs.values()].sort((a, b) => score(b) - score(a) || a.a.id - b.a.id || a.b.id - b.b.id);
}

/** What a merge writes, inside the call's transaction. Both records are read and checked by the caller. */
export async function mergeRecords(
  db: Db,
  columns: ColumnSealer,
  args: {
    keep: { id: number; alias: string; birth_year: number; sex: string; ward_code: number | null; province_code: number | null; work_setting: string | null; assigned_worker_id: number | null };
    other: { id: number; alias: string; birth_year: number; sex: string; ward_code: number | null; province_code: number | null; work_setting: string | null; child_path: number };
    /** The other record's erasure fingerprint (erasure/erasure.ts), kept with the link to the one that stays. */
    otherFingerprint: string;
    take: MergeChoice;
    /** Whose identity stays: the chosen one when the manager could see both, else the kept record's (the other's when it has none). */
    identityFrom: 'keep' | 'other';
    by: { userId: number; at: string; today: string; language: 'vi' | 'en' };
  },
): Promise<{ moved: Record<string, number> }> {
  const { keep, other, take, by } = args;
  const keepId = keep.id;
  const otherId = other.id;

  // The record's details, field by field as chosen; each change in the history of corrections.
  const details = {
    alias: take.alias === 'other' ? other.alias : keep.alias,
    birth_year: take.birthYear === 'other' ? other.birth_year : keep.birth_year,
    sex: take.sex === 'other' ? other.sex : keep.sex,
    ward_code: take.ward === 'other' ? other.ward_code : keep.ward_code,
    province_code: take.ward === 'other' ? other.province_code : keep.province_code,
    work_setting: take.workSetting === 'other' ? other.work_setting : keep.work_setting,
  };
  await recordChanges(db, columns, {
    clientId: keepId,
    entity: 'client',
    entityId: keepId,
    // Named as the history names them (contract/rights.ts HISTORY_FIELDS).
    before: { alias: keep.alias, birthYear: keep.birth_year, sex: keep.sex, wardCode: keep.ward_code, provinceCode: keep.province_code, workSetting: keep.work_setting },
    after: { alias: details.alias, birthYear: details.birth_year, sex: details.sex, wardCode: details.ward_code, provinceCode: details.province_code, workSetting: details.work_setting },
    restricted: false,
    by,
  });
  await db
    .updateTable('client')
    .set({
      alias: columns.seal('client', 'alias', keepId, details.alias),
      alias_folded: columns.searchCopy(details.alias) ?? undefined,
      birth_year: details.birth_year,
      sex: details.sex,
      ward_code: details.ward_code,
      province_code: details.province_code,
      work_setting: details.work_setting,
      // A child's path, on either record, stays. Her registration date stays the kept record's:
      // it is part of its erasure fingerprint, which a backup from before the merge still holds.
      ...(other.child_path === 1 ? { child_path: 1 } : {}),
    })
    .where('id', '=', keepId)
    .execute();

  // Her identity: sealed again under the record that stays (a sealed value names its row).
  const identities = columns.openRows('client_identity', await db.selectFrom('client_identity').selectAll().where('client_id', 'in', [keepId, otherId]).execute());
  const keepIdentity = identities.find((row) => row.client_id === keepId);
  const otherIdentity = identities.find((row) => row.client_id === otherId);
  const chosen = args.identityFrom === 'other' ? (otherIdentity ?? keepIdentity) : (keepIdentity ?? otherIdentity);
  if (chosen && chosen !== keepIdentity) {
    const identity = { legalName: chosen.legal_name, phone: chosen.phone, idNumber: chosen.id_number, address: chosen.address };
    // What it replaces stays in her history of corrections, restricted like identity.
    await recordChanges(db, columns, {
      clientId: keepId,
      entity: 'identity',
      entityId: keepId,
      before: { legalName: keepIdentity?.legal_name ?? null, phone: keepIdentity?.phone ?? null, idNumber: keepIdentity?.id_number ?? null, address: keepIdentity?.address ?? null },
      after: identity,
      restricted: true,
      by,
    });
    await db.deleteFrom('client_identity').where('client_id', '=', keepId).execute();
    if (!isEmptyIdentity(identity)) {
      await db
        .insertInto('client_identity')
        .values({ client_id: keepId, ...identityRow(columns, keepId, identity), updated_at: by.at, updated_by: by.userId })
        .execute();
    }
  }
  await db.deleteFrom('client_identity').where('client_id', '=', otherId).execute();

  // Which consent is current per purpose (and partner) before the rows move: the stronger of the two.
  const consents = await db.selectFrom('consent').selectAll().where('client_id', 'in', [keepId, otherId]).orderBy('id').execute();
  const currentOf = (clientId: number) => {
    const latest = new Map<string, (typeof consents)[number]>();
    for (const consent of consents) if (consent.client_id === clientId) latest.set(`${consent.purpose}|${consent.partner_id ?? ''}`, consent);
    return latest;
  };
  const keptCurrent = currentOf(keepId);
  const otherCurrent = currentOf(otherId);

  // A group session both attended: once (the other's attendance and its visit go).
  const twice = await db
    .selectFrom('group_attendance as o')
    .innerJoin('group_attendance as k', (join) => join.onRef('k.session_id', '=', 'o.session_id').on('k.client_id', '=', keepId))
    .select(['o.session_id', 'o.visit_id'])
    .where('o.client_id', '=', otherId)
    .execute();
  for (const row of twice) {
    await db.deleteFrom('group_attendance').where('session_id', '=', row.session_id).where('client_id', '=', otherId).execute();
    await db.deleteFrom('service').where('visit_id', '=', row.visit_id).execute();
    await db.deleteFrom('follow_up').where('visit_id', '=', row.visit_id).execute();
    await db.deleteFrom('visit').where('id', '=', row.visit_id).execute();
  }
  // The other record's holding ends today; offers of it still waiting are overtaken.
  await db.updateTable('assignment').set({ ended_on: by.today }).where('client_id', '=', otherId).where('ended_on', 'is', null).execute();
  await db.updateTable('case_offer').set({ status: 'cancelled', responded_at: by.at }).where('client_id', '=', otherId).where('status', '=', 'pending').execute();
  const moved: Record<string, number> = {};
  for (const table of ['group_attendance', ...CLIENT_TABLES.filter((name) => name !== 'client_identity')] as const) {
    const result = await db.updateTable(table).set({ client_id: keepId }).where('client_id', '=', otherId).executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    if (count) moved[table] = count;
  }

  // Each purpose (and partner) as one ledger: the later of a withdrawal and a grant wins (a
  // withdrawal on either record withdraws what the other still held), and of two grants the one
  // running longer stays current, carried over as the latest entry when it was not.
  for (const [kind, theirs] of otherCurrent) {
    const ours = keptCurrent.get(kind);
    if (!ours) continue;
    const withdrawn = [ours, theirs].find((consent) => consent.withdrawn_on !== null);
    const granted = [ours, theirs].find((consent) => consent.withdrawn_on === null);
    let winner: typeof theirs;
    if (withdrawn && granted) {
      if (withdrawn.withdrawn_on! >= granted.given_on) {
        await db.updateTable('consent').set({ withdrawn_on: withdrawn.withdrawn_on }).where('id', '=', granted.id).execute();
        continue;
      }
      winner = granted;
    } else if (withdrawn) continue;
    else winner = theirs.expires_on > ours.expires_on ? theirs : ours;
    const latest = Math.max(ours.id, theirs.id);
    if (winner.id === latest) continue;
    const [opened] = columns.openRows('consent', [winner]);
    await writeConsent(db, columns, {
      clientId: keepId,
      purpose: winner.purpose as ConsentPurpose,
      partnerId: winner.partner_id,
      scope: winner.scope ? (JSON.parse(winner.scope) as string[]) : [],
      input: { method: winner.method as ConsentInput['method'], givenBy: winner.given_by as ConsentInput['givenBy'], witness: opened?.witness ?? null, paperKeptAt: opened?.paper_kept_at ?? null, language: winner.text_language as 'vi' | 'en', givenOn: winner.given_on },
      version: winner.text_version as ConsentTextVersion,
      expiresOn: winner.expires_on,
      recordedBy: by.userId,
      at: by.at,
      replacesId: latest,
    });
  }

  // Numbers that led to the other record lead to this one now, and so does its own.
  await db.updateTable('merged_client').set({ into_id: keepId }).where('into_id', '=', otherId).execute();
  await db.insertInto('merged_client').values({ client_id: otherId, into_id: keepId, fingerprint: args.otherFingerprint, merged_at: by.at, merged_by: by.userId }).execute();
  await db.deleteFrom('client').where('id', '=', otherId).execute();
  await refreshClientSummary(db, keepId);
  return { moved };
}

export function assertDifferent(keepId: number, otherId: number): void {
  if (keepId === otherId) throw new AppError('VALIDATION', { issues: [{ path: 'otherId', message: 'invalid' }] });
}
