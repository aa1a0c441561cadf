import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { StatedReasonKind } from '../../contract/vocabulary.ts';

declare const sealedValue: unique symbol;
/**
 * What a sealed column holds (db/sealed-columns.ts): written only as the store's
 * `columns.seal` makes it, read only through `columns.open`. On this PC's file it is the text
 * itself (the whole file is the seal); on the centre's server, the text sealed under the data
 * key. Opaque, so that no text reaches such a column, or leaves it, unsealed or unopened.
 */
export type Sealed = { readonly [sealedValue]: true };

/** A connection or a transaction: what every query function takes. */
export type Db = Kysely<Database> | Transaction<Database>;

/** The database as Kysely sees it. Timestamps are ISO-8601 UTC strings; booleans are 0/1. */
export interface Database {
  setting: SettingTable;
  user: UserTable;
  user_role: UserRoleTable;
  audit_event: AuditEventTable;
  service_type: ServiceTypeTable;
  partner: PartnerTable;
  client: ClientTable;
  client_identity: ClientIdentityTable;
  consent: ConsentTable;
  case_event: CaseEventTable;
  visit: VisitTable;
  group_session: GroupSessionTable;
  group_attendance: GroupAttendanceTable;
  group_others: GroupOthersTable;
  service: ServiceTable;
  follow_up: FollowUpTable;
  referral: ReferralTable;
  anonymous_contact: AnonymousContactTable;
  anonymous_service: AnonymousServiceTable;
  identity_access: IdentityAccessTable;
  case_offer: CaseOfferTable;
  assignment: AssignmentTable;
  case_review: CaseReviewTable;
  saved_filter: SavedFilterTable;
  export_log: ExportLogTable;
  change_history: ChangeHistoryTable;
  restriction: RestrictionTable;
  merged_client: MergedClientTable;
  erasure: ErasureTable;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: number | null;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  key_slot_id: string | null;
  active: number;
  must_change_password: number;
  language: 'vi' | 'en';
  created_at: string;
  created_by: number | null;
  last_login_at: string | null;
  deactivated_at: string | null;
}
export type UserRow = Selectable<UserTable>;

export interface UserRoleTable {
  user_id: number;
  role: 'worker' | 'manager' | 'admin';
}

export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  actor_user_id: number | null;
  action: string;
  outcome: 'ok' | 'refused' | 'failed';
  error_code: string | null;
  target_type: string | null;
  target_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}
export type AuditEventRow = Selectable<AuditEventTable>;

/* Case records (migration 0002). Dates of events are local calendar dates `yyyy-MM-dd`. */

export interface ServiceTypeTable {
  id: Generated<number>;
  code: string;
  service_group: string;
  name_vi: string;
  name_en: string;
  active: number;
  sort_order: number;
}

export interface PartnerTable {
  id: Generated<number>;
  name: string;
  kind: string;
  ward_code: number | null;
  contact: string | null;
  active: number;
  created_at: string;
}

/**
 * A column only the file has, kept to search and sort in SQL (db/sealed-columns.ts
 * FILE_ONLY_COLUMNS): written through `columns.searchCopy`, which gives nothing on a server.
 */
type SearchCopy<T> = ColumnType<T, T | undefined, T | undefined>;

export interface ClientTable {
  id: Generated<number>;
  code: Sealed;
  /** Only on the server: the code's keyed hash, unique (`columns.lookup`). Never read. */
  code_lookup: ColumnType<never, string | undefined, never>;
  alias: Sealed;
  alias_folded: SearchCopy<string>;
  birth_year: number;
  sex: string;
  ward_code: number | null;
  province_code: number | null;
  work_setting: string | null;
  child_path: number;
  status: 'open' | 'closed';
  assigned_worker_id: number | null;
  registered_on: string;
  registered_by: number;
  last_contact_on: string | null;
  next_follow_up_on: string | null;
  open_referrals: number;
  /** The earliest due date among her open referrals (migration 0004). */
  next_referral_due_on: string | null;
  last_reviewed_on: string | null;
}
export type ClientRow = Selectable<ClientTable>;

export interface ClientIdentityTable {
  client_id: number;
  legal_name: Sealed | null;
  legal_name_folded: SearchCopy<string | null>;
  phone: Sealed | null;
  id_number: Sealed | null;
  address: Sealed | null;
  updated_at: string;
  updated_by: number;
}

export interface ConsentTable {
  id: Generated<number>;
  client_id: number;
  purpose: string;
  partner_id: number | null;
  method: string;
  given_by: string;
  witness: Sealed | null;
  scope: string | null;
  text_version: string;
  text_language: string;
  text_shown: string;
  given_on: string;
  expires_on: string;
  recorded_by: number;
  recorded_at: string;
  withdrawn_on: string | null;
  withdrawn_by: number | null;
  replaces_id: number | null;
  /** Where the signed paper form is kept (written consent only). */
  paper_kept_at: Sealed | null;
}
export type ConsentRow = Selectable<ConsentTable>;

export interface CaseEventTable {
  id: Generated<number>;
  client_id: number;
  kind: 'opened' | 'closed' | 'reopened' | 'assigned';
  reason: string | null;
  worker_id: number | null;
  on_date: string;
  by_user: number;
  at: string;
}

export interface GroupSessionTable {
  id: Generated<number>;
  held_on: string;
  kind: string;
  place: string;
  topic: Sealed;
  led_by: Sealed | null;
  service_type_id: number;
  recorded_by: number;
  recorded_at: string;
}

/** A registered client at a session, and the visit that gave her its service. */
export interface GroupAttendanceTable {
  session_id: number;
  client_id: number;
  visit_id: number;
}

/** Others at a session, counted by sex and age band only. */
export interface GroupOthersTable {
  session_id: number;
  sex: string;
  age_band: string;
  count: number;
}

export interface VisitTable {
  id: Generated<number>;
  client_id: number;
  visit_on: string;
  place: string;
  outcome: Sealed | null;
  note: Sealed | null;
  worker_id: number;
  recorded_at: string;
}

export interface ServiceTable {
  id: Generated<number>;
  visit_id: number;
  client_id: number;
  service_type_id: number;
  service_on: string;
  worker_id: number;
}

export interface FollowUpTable {
  id: Generated<number>;
  client_id: number;
  due_on: string;
  done_on: string | null;
  visit_id: number | null;
  created_by: number;
}

export interface ReferralTable {
  id: Generated<number>;
  client_id: number;
  partner_id: number | null;
  service_type_id: number;
  consent_id: number | null;
  status: string;
  proposed_on: string;
  sent_on: string | null;
  received_on: string | null;
  completed_on: string | null;
  declined_on: string | null;
  lost_on: string | null;
  due_on: string | null;
  note: Sealed | null;
  created_by: number;
  created_at: string;
}
export type ReferralRow = Selectable<ReferralTable>;

/**
 * Since migration 0008: a random id, the first day of the contact's month, and nothing about
 * where the contact came from (a walk-in or a de-identified visit) or who recorded it.
 */
export interface AnonymousContactTable {
  id: number;
  contact_on: string;
  age_band: string;
  sex: string;
  place: string;
}

export interface AnonymousServiceTable {
  contact_id: number;
  service_type_id: number;
}

/** A stated reason (migration 0007): an identity opened, a case given to oneself, one's own roles changed. */
export interface IdentityAccessTable {
  id: Generated<number>;
  kind: StatedReasonKind;
  client_id: number | null;
  user_id: number;
  reason: Sealed;
  /** For 'own_roles': `{"before": [...], "after": [...]}`. */
  detail: string | null;
  at: string;
}

/* Caseloads (migration 0004). */

export interface CaseOfferTable {
  id: Generated<number>;
  client_id: number;
  from_user: number;
  to_user: number;
  message: Sealed | null;
  status: 'pending' | 'accepted' | 'declined' | 'withdrawn' | 'cancelled';
  offered_at: string;
  responded_at: string | null;
  response_reason: Sealed | null;
}
export type CaseOfferRow = Selectable<CaseOfferTable>;

export interface AssignmentTable {
  id: Generated<number>;
  client_id: number;
  worker_id: number;
  started_on: string;
  ended_on: string | null;
  how: 'registered' | 'accepted' | 'reassigned';
  offer_id: number | null;
  by_user: number;
  at: string;
}

export interface CaseReviewTable {
  id: Generated<number>;
  client_id: number;
  reviewer_id: number;
  reviewed_on: string;
  comment: Sealed | null;
  at: string;
}

export interface SavedFilterTable {
  id: Generated<number>;
  user_id: number;
  name: Sealed;
  filters: Sealed;
  created_at: string;
}

/* Reports (migration 0005). */

export interface ExportLogTable {
  id: Generated<number>;
  at: string;
  user_id: number;
  period_from: string;
  period_to: string;
  period_label: string;
  format: string;
  k: number;
  sha256: string;
  file_name: string;
  bytes: number;
  indicators: string;
}

export interface ChangeHistoryTable {
  id: Generated<number>;
  client_id: number;
  entity: 'client' | 'identity' | 'visit';
  entity_id: number;
  field: string;
  old_value: Sealed | null;
  new_value: Sealed | null;
  restricted: number;
  changed_by: number;
  changed_at: string;
}

export interface RestrictionTable {
  id: Generated<number>;
  client_id: number;
  reason: string;
  started_by: number;
  started_at: string;
  ended_by: number | null;
  ended_at: string | null;
}

/** A record merged into another: its number leads to the one that stayed (migration 0013). */
export interface MergedClientTable {
  client_id: number;
  into_id: number;
  /** The merged record's erasure fingerprint, for the ledger should the one it went into be erased. */
  fingerprint: string;
  merged_at: string;
  merged_by: number;
}

export interface ErasureTable {
  fingerprint: string;
  erased_at: string;
  reason: string;
}
