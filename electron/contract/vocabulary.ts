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

/** Age in whole years as far as a birth year tells (the birthday may not have come yet). */
export function yearsSince(birthYear: number, today: Date): number {
  return today.getFullYear() - birthYear;
}

/**
 * Is she on the child-protection path today? Under 18 by birth year; in the year she turns 18,
 * only if she was registered as a child (her birthday may not have come). From the next year
 * on, an adult: her own consent, the adult wording, no "child" label.
 */
export function isChildNow(birthYear: number, registeredAsChild: boolean, today: Date): boolean {
  const age = yearsSince(birthYear, today);
  return age < 18 || (age === 18 && registeredAsChild);
}

export function ageBandOf(birthYear: number, today: Date): AgeBand {
  const age = yearsSince(birthYear, today);
  if (age < 18) return 'under_18';
  if (age <= 24) return '18_24';
  if (age <= 34) return '25_34';
  if (age <= 49) return '35_49';
  return '50_plus';
}
