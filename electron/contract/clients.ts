import { z } from 'zod';
import { channel } from './channel.ts';
import { CONSENT_TEXT_VERSIONS } from './consent-texts.ts';
import { idSchema, isoDateSchema, languageSchema, optionalText, reasonSchema, recordVersionSchema } from './schemas.ts';
import {
  AGE_BANDS,
  ASSIGNMENT_WAYS,
  OFFER_STATUSES,
  CONSENT_STATES,
  CLOSE_REASONS,
  CONSENT_GIVERS,
  CONSENT_METHODS,
  CONSENT_PURPOSES,
  REFERRAL_STATUSES,
  SEXES,
  VISIT_PLACES,
  WORK_SETTINGS,
} from './vocabulary.ts';
import WARDS from './reference/hcmc-wards-2025.json' with { type: 'json' };
import PROVINCES from './reference/provinces-2025.json' with { type: 'json' };

export const WARD_CODES = new Set(WARDS.wards.map((ward) => ward.code));
export const PROVINCE_CODES = new Set(PROVINCES.provinces.map((province) => province.code));
export { WARDS, PROVINCES };

const text = (max: number) => z.string({ error: 'required' }).trim().max(max, { error: 'tooLong' });

export const wardCodeSchema = z.number({ error: 'invalid' }).int().refine((code) => WARD_CODES.has(code), { error: 'invalid' });
export const provinceCodeSchema = z.number({ error: 'invalid' }).int().refine((code) => PROVINCE_CODES.has(code), { error: 'invalid' });
export const birthYearSchema = z.number({ error: 'birthYearRange' }).int({ error: 'birthYearRange' }).min(1930, { error: 'birthYearRange' }).max(2026, { error: 'birthYearRange' });

/** What the worker records when consent is given (the text itself is chosen by core and stored). */
export const consentInputSchema = z
  .object({
    method: z.enum(CONSENT_METHODS, { error: 'required' }),
    givenBy: z.enum(CONSENT_GIVERS, { error: 'required' }),
    /** For verbal consent: who witnessed it. */
    witness: optionalText(120).optional(),
    /** For written consent: where the signed paper form is kept. */
    paperKeptAt: optionalText(120).optional(),
    /** The version of the text that was read, as shown on screen; core checks it is current. */
    textVersion: z.enum(CONSENT_TEXT_VERSIONS as [string, ...string[]], { error: 'invalid' }),
    language: languageSchema,
    givenOn: isoDateSchema,
    expiresOn: isoDateSchema.optional(),
  })
  .strict()
  .refine((consent) => consent.method !== 'verbal_witnessed' || !!consent.witness, { error: 'witnessRequired', path: ['witness'] });
export type ConsentInput = z.infer<typeof consentInputSchema>;

export const identityInputSchema = z
  .object({
    legalName: optionalText(120),
    phone: z
      .string()
      .trim()
      .max(20, { error: 'tooLong' })
      .regex(/^$|^[0-9+ ().-]{6,20}$/, { error: 'phoneFormat' })
      .transform((value) => (value === '' ? null : value))
      .nullable(),
    idNumber: optionalText(30),
    address: optionalText(200),
  })
  .strict();
export type IdentityInput = z.infer<typeof identityInputSchema>;

export const registerClientInputSchema = z
  .object({
    /** The facts the code is built from; never stored. */
    motherName: text(60),
    fatherName: text(60),
    birthYear: birthYearSchema,
    sex: z.enum(SEXES, { error: 'required' }),
    /** For someone whose birth year makes her 18 this year: has her birthday passed? */
    turned18: z.boolean().nullable().default(null),
    alias: text(60).min(1, { error: 'required' }),
    wardCode: wardCodeSchema.nullable(),
    provinceCode: provinceCodeSchema.nullable(),
    workSetting: z.enum(WORK_SETTINGS).nullable(),
    /** The worker checked that an existing record with the same code is someone else. */
    distinctFromExisting: z.boolean().default(false),
    consent: consentInputSchema,
    identity: identityInputSchema.nullable().default(null),
    /** Needed when a phone number is recorded. */
    contactConsent: consentInputSchema.nullable().default(null),
    /** Optional: anonymous numbers about her may be used in reports (only then is she counted in them). */
    reportsConsent: consentInputSchema.nullable().default(null),
  })
  .strict();
export type RegisterClientInput = z.input<typeof registerClientInputSchema>;

const consentSchema = z.object({
  id: z.number(),
  purpose: z.enum(CONSENT_PURPOSES),
  partnerId: z.number().nullable(),
  partnerName: z.string().nullable(),
  method: z.enum(CONSENT_METHODS),
  givenBy: z.enum(CONSENT_GIVERS),
  witness: z.string().nullable(),
  paperKeptAt: z.string().nullable(),
  textVersion: z.string(),
  textLanguage: z.string(),
  textShown: z.string(),
  scope: z.array(z.string()),
  givenOn: z.string(),
  expiresOn: z.string(),
  withdrawnOn: z.string().nullable(),
  recordedByName: z.string().nullable(),
  state: z.enum(CONSENT_STATES),
});
export type ConsentView = z.infer<typeof consentSchema>;

const timelineItemSchema = z.object({
  kind: z.enum(['visit', 'referral', 'consent', 'case', 'assignment', 'review']),
  id: z.number(),
  on: z.string(),
  /** Short, non-restricted description parts; the renderer words them. */
  summary: z.record(z.string(), z.unknown()),
});

export const visitViewSchema = z.object({
  id: z.number(),
  visitOn: z.string(),
  place: z.enum(VISIT_PLACES),
  outcome: z.string().nullable(),
  /** Restricted: present for the assigned worker or after stating a reason; else null. */
  note: z.string().nullable(),
  hasNote: z.boolean(),
  workerName: z.string().nullable(),
  serviceTypeIds: z.array(z.number()),
  /** What the visit is now: sent back with a correction (visits.correct). */
  version: z.string(),
});
export type VisitView = z.infer<typeof visitViewSchema>;

export const referralViewSchema = z.object({
  id: z.number(),
  partnerId: z.number().nullable(),
  partnerName: z.string().nullable(),
  serviceTypeId: z.number(),
  status: z.enum(REFERRAL_STATUSES),
  proposedOn: z.string(),
  sentOn: z.string().nullable(),
  receivedOn: z.string().nullable(),
  completedOn: z.string().nullable(),
  declinedOn: z.string().nullable(),
  lostOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  overdue: z.boolean(),
  note: z.string().nullable(),
  hasNote: z.boolean(),
});
export type ReferralView = z.infer<typeof referralViewSchema>;

export const clientPageSchema = z.object({
  id: z.number(),
  code: z.string(),
  alias: z.string(),
  /** What the record's details (alias, ward, province, work setting) are now: sent back with clients.update. */
  detailsVersion: z.string(),
  birthYear: z.number(),
  ageBand: z.enum(AGE_BANDS),
  sex: z.enum(SEXES),
  wardCode: z.number().nullable(),
  provinceCode: z.number().nullable(),
  workSetting: z.enum(WORK_SETTINGS).nullable(),
  childPath: z.boolean(),
  status: z.enum(['open', 'closed']),
  assignedWorkerId: z.number().nullable(),
  assignedWorkerName: z.string().nullable(),
  registeredOn: z.string(),
  /** The viewer is the assigned worker (sees identity and notes without stating a reason). */
  isMine: z.boolean(),
  /** The viewer may see restricted parts now (hers, or she stated a reason this session). */
  restrictedVisible: z.boolean(),
  consents: z.array(consentSchema),
  visits: z.array(visitViewSchema),
  referrals: z.array(referralViewSchema),
  nextFollowUpOn: z.string().nullable(),
  timeline: z.array(timelineItemSchema),
  /** Who held the case, earliest first; the last one (no end) holds it now. */
  assignments: z.array(
    z.object({ workerName: z.string().nullable(), startedOn: z.string(), endedOn: z.string().nullable(), how: z.enum(ASSIGNMENT_WAYS), byName: z.string().nullable() }),
  ),
  /** Offers of the case to a colleague, newest first. Message and reason only for the two of them and managers. */
  offers: z.array(
    z.object({
      id: z.number(),
      fromUserId: z.number(),
      fromName: z.string().nullable(),
      toUserId: z.number(),
      toName: z.string().nullable(),
      status: z.enum(OFFER_STATUSES),
      offeredAt: z.string(),
      respondedAt: z.string().nullable(),
      message: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  /** Managers' reviews, newest first. The comment is restricted like notes (and shown to its author). */
  reviews: z.array(z.object({ id: z.number(), reviewedOn: z.string(), reviewerName: z.string().nullable(), comment: z.string().nullable(), hasComment: z.boolean() })),
  lastReviewedOn: z.string().nullable(),
  /** Frozen while a request is handled: no changes, no referrals. */
  restriction: z.object({ reason: z.string(), since: z.string(), byName: z.string().nullable() }).nullable(),
});
export type ClientPage = z.infer<typeof clientPageSchema>;

export const clientListRowSchema = z.object({
  id: z.number(),
  code: z.string(),
  alias: z.string(),
  ageBand: z.enum(AGE_BANDS),
  childPath: z.boolean(),
  wardCode: z.number().nullable(),
  workerName: z.string().nullable(),
  lastContactOn: z.string().nullable(),
  openReferrals: z.number(),
  nextFollowUpOn: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  /** Matched on the legal name (only ever for the viewer's own clients). */
  matchedLegalName: z.boolean(),
});
export type ClientListRow = z.infer<typeof clientListRowSchema>;

export const CLIENT_SORTS = ['code', 'alias', 'ageBand', 'ward', 'worker', 'lastContact', 'openReferrals', 'nextFollowUp'] as const;
export const CLIENT_PAGE_MAX = 500;
/** The list counts matches up to this many; beyond it says "more than". */
export const CLIENT_COUNT_CAP = 1000;

/** The client list's filters and order: what a saved working list keeps. */
export const clientFiltersSchema = z
  .object({
    search: z.string().max(80, { error: 'tooLong' }).default(''),
    status: z.enum(['open', 'closed', 'all']).default('open'),
    mine: z.boolean().default(false),
    /** Whose cases (for managers); ignored with `mine`. */
    workerId: idSchema.nullable().default(null),
    wardCode: wardCodeSchema.nullable().default(null),
    ageBand: z.enum(AGE_BANDS).nullable().default(null),
    withOpenReferrals: z.boolean().default(false),
    /** An open referral past its due date. */
    overdueReferrals: z.boolean().default(false),
    followUpDue: z.boolean().default(false),
    /** No contact for the centre's warning number of days (see settings). */
    noContact: z.boolean().default(false),
    /** Not reviewed by a manager within the centre's review interval. */
    notReviewed: z.boolean().default(false),
    sort: z.enum(CLIENT_SORTS).default('lastContact'),
    direction: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();
export type ClientFilters = z.output<typeof clientFiltersSchema>;

export const clientListInputSchema = clientFiltersSchema
  .extend({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(CLIENT_PAGE_MAX).default(100),
  })
  .strict();

export const identityViewSchema = z.object({
  legalName: z.string().nullable(),
  phone: z.string().nullable(),
  idNumber: z.string().nullable(),
  address: z.string().nullable(),
  contactConsent: z.boolean(),
  /** What the identity is now: sent back with clients.updateIdentity. */
  version: z.string(),
});
export type IdentityView = z.infer<typeof identityViewSchema>;

const clientId = z.object({ clientId: idSchema }).strict();

export const clientsChannels = {
  /** Before registering: does a record with this code exist? (Offer to open it instead.) */
  'clients.checkCode': channel({
    input: z.object({ code: z.string().max(20) }).strict(),
    output: z.object({ exists: z.boolean(), clientId: z.number().nullable() }),
    access: 'clients.write',
    audit: 'read',
    errors: [],
  }),
  /** Registration starts with consent: no case-record consent, no record. */
  'clients.register': channel({
    input: registerClientInputSchema,
    output: z.object({ clientId: z.number(), code: z.string(), childPath: z.boolean() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_CODE_EXISTS', 'CONSENT_TEXT_OUTDATED', 'CONSENT_GIVER_INVALID', 'CONSENT_REQUIRED', 'AGE_UNCLEAR', 'DATE_IN_FUTURE'],
  }),
  'clients.list': channel({
    input: clientListInputSchema,
    output: z.object({
      total: z.number(),
      /** True when there are more matches than CLIENT_COUNT_CAP: `total` is then a lower bound. */
      totalIsLowerBound: z.boolean(),
      rows: z.array(clientListRowSchema),
    }),
    access: 'clients.read',
    audit: 'read',
    errors: [],
  }),
  'clients.get': channel({
    input: clientId,
    output: clientPageSchema,
    access: 'clients.read',
    audit: 'read',
    errors: ['CLIENT_NOT_FOUND'],
  }),
  /**
   * The restricted identity section. The assigned worker reads it directly; anyone else states
   * a reason first ("break the glass"), which is recorded and listed for managers.
   */
  'clients.identity': channel({
    input: z.object({ clientId: idSchema, reason: reasonSchema.optional() }).strict(),
    output: identityViewSchema,
    access: 'clients.read',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'REASON_REQUIRED'],
  }),
  'clients.updateIdentity': channel({
    input: z.object({ clientId: idSchema, identity: identityInputSchema, version: recordVersionSchema }).strict(),
    output: identityViewSchema,
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_ASSIGNED', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'CLIENT_RESTRICTED', 'RECORD_CHANGED'],
  }),
  'clients.update': channel({
    input: z
      .object({
        clientId: idSchema,
        alias: text(60).min(1, { error: 'required' }),
        wardCode: wardCodeSchema.nullable(),
        provinceCode: provinceCodeSchema.nullable(),
        workSetting: z.enum(WORK_SETTINGS).nullable(),
        version: recordVersionSchema,
      })
      .strict(),
    output: z.object({}).strict(),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED', 'RECORD_CHANGED'],
  }),
  'clients.close': channel({
    input: z.object({ clientId: idSchema, reason: z.enum(CLOSE_REASONS, { error: 'required' }), on: isoDateSchema }).strict(),
    output: z.object({}).strict(),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CASE_CLOSED', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  'clients.reopen': channel({
    input: z.object({ clientId: idSchema, on: isoDateSchema }).strict(),
    output: z.object({}).strict(),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CONSENT_REQUIRED', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  'consent.record': channel({
    input: z
      .object({
        clientId: idSchema,
        purpose: z.enum(CONSENT_PURPOSES),
        partnerId: idSchema.nullable().default(null),
        /** For sharing with a partner: what the slip may carry beyond code and alias. */
        scope: z.array(z.enum(['legal_name', 'phone'])).max(2).default([]),
        consent: consentInputSchema,
      })
      .strict()
      .refine((value) => (value.purpose === 'share_partner') === (value.partnerId !== null), { error: 'partnerRequired', path: ['partnerId'] }),
    output: z.object({ consentId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'PARTNER_NOT_FOUND', 'CONSENT_TEXT_OUTDATED', 'CONSENT_GIVER_INVALID', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  /** A new consent of the same kind replaces the old one, which stays in the ledger. */
  'consent.renew': channel({
    input: z.object({ consentId: idSchema, consent: consentInputSchema }).strict(),
    output: z.object({ consentId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CONSENT_NOT_FOUND', 'CONSENT_TEXT_OUTDATED', 'CONSENT_GIVER_INVALID', 'CASE_CLOSED', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  /** Where the signed paper form of a written consent is kept, said (or corrected) after it was recorded. */
  'consent.setPaperPlace': channel({
    input: z.object({ consentId: idSchema, keptAt: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(120, { error: 'tooLong' }) }).strict(),
    output: z.object({}).strict(),
    access: 'clients.write',
    audit: 'write',
    errors: ['CONSENT_NOT_FOUND', 'CONSENT_NOT_WRITTEN', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  /**
   * Withdrawing case-record consent de-identifies the client: identity, notes and contact
   * details are erased from the database file; her services remain as anonymous counts.
   */
  'consent.withdraw': channel({
    input: z.object({ consentId: idSchema, on: isoDateSchema }).strict(),
    output: z.object({ deidentified: z.boolean() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CONSENT_NOT_FOUND', 'DATE_IN_FUTURE', 'NOT_ASSIGNED'],
  }),
} as const;
