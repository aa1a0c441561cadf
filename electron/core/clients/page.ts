import { clientDetailsVersion, identityVersion, visitVersion } from '../records/versions.ts';
import type { RestrictionReason } from '../../contract/rights.ts';
import type { ClientPage, ConsentView, IdentityView, ReferralView } from '../../contract/clients.ts';
import { ageBandOf, OPEN_REFERRAL_STATUSES, type ReferralStatus } from '../../contract/vocabulary.ts';
import { addToDate } from '../clock.ts';
import type { ConsentRow, ReferralRow } from '../db/schema.ts';
import type { Db } from '../db/schema.ts';
import type { ColumnSealer } from '../vault/column-sealers.ts';
import { activeConsent, childNow, getClient } from '../records/access.ts';

/** Consents expiring within this many days are flagged. */
export const CONSENT_EXPIRY_WARNING_DAYS = 30;

export function consentState(consent: ConsentRow, replaced: boolean, today: string): ConsentView['state'] {
  if (consent.withdrawn_on) return 'withdrawn';
  if (replaced) return 'replaced';
  if (consent.expires_on < today) return 'expired';
  if (consent.expires_on <= addToDate(today, { days: CONSENT_EXPIRY_WARNING_DAYS })) return 'expiring';
  return 'active';
}

export function referralView(columns: ColumnSealer, row: ReferralRow & { partner_name: string | null }, restrictedVisible: boolean, today: string): ReferralView {
  const open = OPEN_REFERRAL_STATUSES.includes(row.status as ReferralStatus);
  return {
    id: row.id,
    partnerId: row.partner_id,
    partnerName: row.partner_name,
    serviceTypeId: row.service_type_id,
    status: row.status as ReferralStatus,
    proposedOn: row.proposed_on,
    sentOn: row.sent_on,
    receivedOn: row.received_on,
    completedOn: row.completed_on,
    declinedOn: row.declined_on,
    lostOn: row.lost_on,
    dueOn: row.due_on,
    overdue: open && row.due_on !== null && row.due_on < today,
    note: restrictedVisible ? columns.open('referral', 'note', row.id, row.note) : null,
    hasNote: row.note !== null,
  };
}

export async function referralsOf(db: Db, clientId: number) {
  return db
    .selectFrom('referral')
    .leftJoin('partner', 'partner.id', 'referral.partner_id')
    .selectAll('referral')
    .select('partner.name as partner_name')
    .where('referral.client_id', '=', clientId)
    .orderBy('referral.proposed_on', 'desc')
    .orderBy('referral.id', 'desc')
    .execute();
}

/** Who held the case, offers of it between workers, managers' reviews. */
async function caseHistory(db: Db, columns: ColumnSealer, clientId: number, viewer: Viewer, restrictedVisible: boolean) {
  const holdings = await db
    .selectFrom('assignment')
    .leftJoin('user as worker', 'worker.id', 'assignment.worker_id')
    .leftJoin('user as by', 'by.id', 'assignment.by_user')
    .select(['assignment.id', 'assignment.started_on', 'assignment.ended_on', 'assignment.how', 'worker.display_name as worker_name', 'by.display_name as by_name'])
    .where('assignment.client_id', '=', clientId)
    .orderBy('assignment.id')
    .execute();
  const offerRows = await db
    .selectFrom('case_offer')
    .leftJoin('user as sender', 'sender.id', 'case_offer.from_user')
    .leftJoin('user as receiver', 'receiver.id', 'case_offer.to_user')
    .selectAll('case_offer')
    .select(['sender.display_name as from_name', 'receiver.display_name as to_name'])
    .where('case_offer.client_id', '=', clientId)
    .orderBy('case_offer.id', 'desc')
    .execute();
  const reviewRows = await db
    .selectFrom('case_review')
    .leftJoin('user', 'user.id', 'case_review.reviewer_id')
    .selectAll('case_review')
    .select('user.display_name as reviewer_name')
    .where('case_review.client_id', '=', clientId)
    .orderBy('case_review.reviewed_on', 'desc')
    .orderBy('case_review.id', 'desc')
    .execute();
  return {
    assignments: holdings.map((row) => ({ id: row.id, workerName: row.worker_name, startedOn: row.started_on, endedOn: row.ended_on, how: row.how, byName: row.by_name })),
    offers: offerRows.map((row) => {
      // Words between colleagues: for the two of them and managers.
      const party = row.from_user === viewer.id || row.to_user === viewer.id || viewer.managesCaseload;
      return {
        id: row.id,
        fromUserId: row.from_user,
        fromName: row.from_name,
        toUserId: row.to_user,
        toName: row.to_name,
        status: row.status,
        offeredAt: row.offered_at,
        respondedAt: row.responded_at,
        message: party ? columns.open('case_offer', 'message', row.id, row.message) : null,
        reason: party ? columns.open('case_offer', 'response_reason', row.id, row.response_reason) : null,
      };
    }),
    reviews: reviewRows.map((row) => ({
      id: row.id,
      reviewedOn: row.reviewed_on,
      reviewerName: row.reviewer_name,
      comment: restrictedVisible || row.reviewer_id === viewer.id ? columns.open('case_review', 'comment', row.id, row.comment) : null,
      hasComment: row.comment !== null,
    })),
  };
}

/**
 * Everything the client page shows, in one read. Restricted parts (notes) only for the assigned
 * worker or someone who stated a reason this session; identity has its own channel.
 */
export interface Viewer {
  id: number;
  /** She stated a reason for this client this session. */
  revealed: boolean;
  /** She reviews caseloads (sees the messages of offers between workers). */
  managesCaseload: boolean;
}

export async function clientPage(db: Db, columns: ColumnSealer, clientId: number, viewer: Viewer, today: string): Promise<ClientPage> {
  const client = await getClient(db, columns, clientId);
  const isMine = client.assigned_worker_id === viewer.id;
  const restrictedVisible = isMine || viewer.revealed;
  const worker = client.assigned_worker_id
    ? await db.selectFrom('user').select('display_name').where('id', '=', client.assigned_worker_id).executeTakeFirst()
    : undefined;

  const consentRows = await db
    .selectFrom('consent')
    .leftJoin('partner', 'partner.id', 'consent.partner_id')
    .leftJoin('user', 'user.id', 'consent.recorded_by')
    .selectAll('consent')
    .select(['partner.name as partner_name', 'user.display_name as recorder_name'])
    .where('consent.client_id', '=', clientId)
    .orderBy('consent.id', 'desc')
    .execute();
  const replacedIds = new Set(consentRows.map((row) => row.replaces_id).filter((id): id is number => id !== null));
  // The latest of each kind is in force; earlier ones of the same kind count as replaced.
  const seenKinds = new Set<string>();
  const consents: ConsentView[] = consentRows.map((row) => {
    const kind = `${row.purpose}:${row.partner_id ?? ''}`;
    const replaced = replacedIds.has(row.id) || seenKinds.has(kind);
    seenKinds.add(kind);
    return {
      id: row.id,
      purpose: row.purpose as ConsentView['purpose'],
      partnerId: row.partner_id,
      partnerName: row.partner_name,
      method: row.method as ConsentView['method'],
      givenBy: row.given_by as ConsentView['givenBy'],
      // A witness is a person named in free text: restricted like identity.
      witness: restrictedVisible ? columns.open('consent', 'witness', row.id, row.witness) : null,
      paperKeptAt: columns.open('consent', 'paper_kept_at', row.id, row.paper_kept_at),
      textVersion: row.text_version,
      textLanguage: row.text_language,
      textShown: row.text_shown,
      scope: row.scope ? (JSON.parse(row.scope) as string[]) : [],
      givenOn: row.given_on,
      expiresOn: row.expires_on,
      withdrawnOn: row.withdrawn_on,
      recordedByName: row.recorder_name,
      state: consentState(row, replaced, today),
    };
  });

  const visitRows = await db
    .selectFrom('visit')
    .leftJoin('user', 'user.id', 'visit.worker_id')
    .selectAll('visit')
    .select('user.display_name as worker_name')
    .where('visit.client_id', '=', clientId)
    .orderBy('visit.visit_on', 'desc')
    .orderBy('visit.id', 'desc')
    .execute();
  const services = await db.selectFrom('service').select(['visit_id', 'service_type_id']).where('client_id', '=', clientId).orderBy('service_type_id').execute();
  const visits = visitRows.map((row) => {
    const serviceTypeIds = services.filter((service) => service.visit_id === row.id).map((service) => service.service_type_id);
    const outcome = columns.open('visit', 'outcome', row.id, row.outcome);
    const note = columns.open('visit', 'note', row.id, row.note);
    return {
    id: row.id,
    visitOn: row.visit_on,
    place: row.place as ClientPage['visits'][number]['place'],
    // Outcome is free text too: restricted like the note.
    outcome: restrictedVisible ? outcome : null,
    note: restrictedVisible ? note : null,
    hasNote: row.note !== null || row.outcome !== null,
    workerName: row.worker_name,
    serviceTypeIds,
    version: visitVersion({ ...row, outcome, note }, serviceTypeIds),
    };
  });

  const referrals = (await referralsOf(db, clientId)).map((row) => referralView(columns, row, restrictedVisible, today));
  const restriction = await activeRestriction(db, clientId);
  const events = await db.selectFrom('case_event').selectAll().where('client_id', '=', clientId).execute();
  const { assignments, offers, reviews } = await caseHistory(db, columns, clientId, viewer, restrictedVisible);

  const timeline: ClientPage['timeline'] = [
    ...visits.map((visit) => ({ kind: 'visit' as const, id: visit.id, on: visit.visitOn, summary: { place: visit.place, serviceTypeIds: visit.serviceTypeIds } })),
    // Each step of a referral on its own day: proposed, sent, received, then how it ended.
    ...referrals.flatMap((referral) =>
      (
        [
          ['proposed', referral.proposedOn],
          ['sent', referral.sentOn],
          ['received', referral.receivedOn],
          ['completed', referral.completedOn],
          ['declined', referral.declinedOn],
          ['lost', referral.lostOn],
        ] as const
      )
        .filter(([, on]) => on !== null)
        .map(([status, on]) => ({
          kind: 'referral' as const,
          id: referral.id,
          on: on as string,
          summary: { status, serviceTypeId: referral.serviceTypeId, partnerName: referral.partnerName },
        })),
    ),
    ...consents.map((consent) => ({ kind: 'consent' as const, id: consent.id, on: consent.withdrawnOn ?? consent.givenOn, summary: { purpose: consent.purpose, state: consent.state } })),
    ...events.map((event) => ({ kind: 'case' as const, id: event.id, on: event.on_date, summary: { event: event.kind, reason: event.reason } })),
    ...assignments
      .filter((holding) => holding.how !== 'registered')
      .map((holding) => ({ kind: 'assignment' as const, id: holding.id, on: holding.startedOn, summary: { how: holding.how, workerName: holding.workerName } })),
    ...reviews.map((review) => ({ kind: 'review' as const, id: review.id, on: review.reviewedOn, summary: { reviewerName: review.reviewerName } })),
  ].sort((a, b) => (a.on < b.on ? 1 : a.on > b.on ? -1 : b.id - a.id));

  return {
    id: client.id,
    code: client.code,
    alias: client.alias,
    detailsVersion: clientDetailsVersion(client),
    birthYear: client.birth_year,
    ageBand: ageBandOf(client.birth_year, today),
    sex: client.sex as ClientPage['sex'],
    wardCode: client.ward_code,
    provinceCode: client.province_code,
    workSetting: client.work_setting as ClientPage['workSetting'],
    childPath: childNow(client, today),
    status: client.status,
    assignedWorkerId: client.assigned_worker_id,
    assignedWorkerName: worker?.display_name ?? null,
    registeredOn: client.registered_on,
    isMine,
    restrictedVisible,
    consents,
    visits,
    referrals,
    nextFollowUpOn: client.next_follow_up_on,
    timeline,
    assignments: assignments.map(({ id: _id, ...holding }) => holding),
    offers,
    reviews,
    lastReviewedOn: client.last_reviewed_on,
    restriction,
  };
}

/** Her record's restriction in force, if any. */
export async function activeRestriction(db: Db, clientId: number): Promise<{ reason: RestrictionReason; since: string; byName: string | null } | null> {
  const row = await db
    .selectFrom('restriction')
    .leftJoin('user', 'user.id', 'restriction.started_by')
    .select(['restriction.reason', 'restriction.started_at', 'user.display_name'])
    .where('restriction.client_id', '=', clientId)
    .where('restriction.ended_at', 'is', null)
    .executeTakeFirst();
  return row ? { reason: row.reason as RestrictionReason, since: row.started_at, byName: row.display_name } : null;
}

/** Her identity's fields as written, opened (undefined when none is kept). */
export async function readIdentity(db: Db, columns: ColumnSealer, clientId: number) {
  const rows = await db.selectFrom('client_identity').select(['client_id', 'legal_name', 'phone', 'id_number', 'address']).where('client_id', '=', clientId).execute();
  return columns.openRows('client_identity', rows)[0];
}

/** Her identity, for whoever may read restricted parts (the caller checks). */
export async function identityView(db: Db, columns: ColumnSealer, clientId: number, todayDate: string): Promise<IdentityView> {
  const row = await readIdentity(db, columns, clientId);
  return {
    legalName: row?.legal_name ?? null,
    phone: row?.phone ?? null,
    idNumber: row?.id_number ?? null,
    address: row?.address ?? null,
    contactConsent: (await activeConsent(db, clientId, 'contact', todayDate)) !== undefined,
    version: identityVersion(clientId, row),
  };
}
