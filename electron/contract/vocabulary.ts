/*
 * The fixed lists the case record is made of. Stable ids (stored in the database and used in
 * reports); the renderer's i18n gives each its Vietnamese and English words.
 */

/** Sex/gender as the client states it: nữ, nam, chuyển giới nữ, chuyển giới nam, khác/không muốn nói. */
export const SEXES = ['female', 'male', 'trans_female', 'trans_male', 'other'] as const;
export type Sex = (typeof SEXES)[number];

/** Where she mainly works (optional). */
export const WORK_SETTINGS = ['public_place', 'service_venue', 'online', 'other'] as const;

/** Age bands of the city's reports. */
export const AGE_BANDS = ['under_18', '18_24', '25_34', '35_49', '50_plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const CONSENT_PURPOSES = ['case_record', 'share_partner', 'contact', 'reports'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_METHODS = ['verbal_witnessed', 'written'] as const;
/** Who gave consent: the client herself, or for a child a guardian or the child-protection officer. */
export const CONSENT_GIVERS = ['client', 'guardian', 'child_protection_officer'] as const;
export const DEFAULT_CONSENT_MONTHS = 12;
/** The longest a consent may run before it is asked again. */
export const MAX_CONSENT_MONTHS = 60;
/** Expiring: within 30 days. Replaced: a renewal of the same kind came after it. */
export const CONSENT_STATES = ['active', 'expiring', 'expired', 'withdrawn', 'replaced'] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];
/** A consent can be renewed or withdrawn only while it is the latest of its kind and not withdrawn. */
export const CURRENT_CONSENT_STATES: readonly ConsentState[] = ['active', 'expiring', 'expired'];

export const VISIT_PLACES = ['centre', 'outreach', 'phone_online', 'partner_site'] as const;

export const REFERRAL_STATUSES = ['proposed', 'sent', 'received', 'completed', 'declined', 'lost'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = ['proposed', 'sent', 'received'];
/** The moves a referral may make: forward through the chain, or to an outcome from any open step. */
export const REFERRAL_NEXT: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  proposed: ['sent', 'declined', 'lost'],
  sent: ['received', 'completed', 'declined', 'lost'],
  received: ['completed', 'declined', 'lost'],
  completed: [],
  declined: [],
  lost: [],
};

/** How a worker came to hold a case. */
export const ASSIGNMENT_WAYS = ['registered', 'accepted', 'reassigned'] as const;
/** What a reason was stated for: opening an identity that is not hers, giving a case to herself, changing her own roles. */
export const STATED_REASON_KINDS = ['identity', 'self_assignment', 'own_roles'] as const;
export type StatedReasonKind = (typeof STATED_REASON_KINDS)[number];
/** An offer of a case to a colleague: waiting, taken, turned down, taken back, or overtaken by a reassignment or closure. */
export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn', 'cancelled'] as const;

export const CLOSE_REASONS = ['reintegrated', 'moved_away', 'lost_contact', 'declined', 'died', 'transferred'] as const;

export const PARTNER_KINDS = [
  'hiv_sti_clinic',
  'methadone_clinic',
  'bank_branch',
  'vocational_school',
  'legal_aid',
  'shelter',
  'child_protection',
  'other',
] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** Service groups of the catalogue (seeded by migration 0002; types within a group can be added). */
export const SERVICE_GROUPS = [
  'legal',
  'psychological',
  'health_sti',
  'hiv_testing',
  'prep',
  'art',
  'methadone',
  'harm_reduction',
  'vocational_training',
  'job_placement',
  'loan',
  'peer_group',
  'emergency_shelter',
  'gbv',
  'child_protection',
  'other',
] as const;
export type ServiceGroup = (typeof SERVICE_GROUPS)[number];

/** Age in whole years as far as a birth year tells (the birthday may not have come yet) on a `yyyy-MM-dd` date. */
export function yearsSince(birthYear: number, onDate: string): number {
  return Number(onDate.slice(0, 4)) - birthYear;
}

/**
 * Is she on the child-protection path on this date? Under 18 by birth year; in the year she
 * turns 18, only if she was registered as a child (her birthday may not have come). From the
 * next year on, an adult: her own consent, the adult wording, no "child" label.
 */
export function isChildNow(birthYear: number, registeredAsChild: boolean, onDate: string): boolean {
  const age = yearsSince(birthYear, onDate);
  return age < 18 || (age === 18 && registeredAsChild);
}

/** The ages (by birth year) each band holds, youngest and oldest. */
export const AGE_BAND_AGES: Record<AgeBand, readonly [number, number]> = {
  under_18: [0, 17],
  '18_24': [18, 24],
  '25_34': [25, 34],
  '35_49': [35, 49],
  '50_plus': [50, 200],
};

export function ageBandOf(birthYear: number, onDate: string): AgeBand {
  const age = yearsSince(birthYear, onDate);
  return AGE_BANDS.find((band) => age <= AGE_BAND_AGES[band][1]) ?? '50_plus';
}
