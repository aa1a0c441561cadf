import { z } from 'zod';
import { channel } from './channel.ts';

/** The most break-the-glass entries one page of the review shows. */
export const ACCESS_PAGE_SIZE_MAX = 200;
import { consentInputSchema, referralViewSchema, wardCodeSchema } from './clients.ts';
import { idSchema, isoDateSchema, optionalText, recordVersionSchema } from './schemas.ts';
import { ROLES } from './permissions.ts';
import { AGE_BANDS, PARTNER_KINDS, REFERRAL_STATUSES, SERVICE_GROUPS, SEXES, STATED_REASON_KINDS, VISIT_PLACES } from './vocabulary.ts';

const serviceTypeIds = z
  .array(idSchema, { error: 'servicesRequired' })
  .min(1, { error: 'servicesRequired' })
  .max(20, { error: 'tooLong' })
  .refine((ids) => new Set(ids).size === ids.length, { error: 'invalid' });

const optionalNote = optionalText(2000).default(null);

export const recordVisitInputSchema = z
  .object({
    clientId: idSchema,
    visitOn: isoDateSchema,
    place: z.enum(VISIT_PLACES, { error: 'required' }),
    serviceTypeIds,
    outcome: optionalText(300).default(null),
    /** Restricted like identity. */
    note: optionalNote,
    nextFollowUpOn: isoDateSchema.nullable().default(null),
  })
  .strict()
  .refine((visit) => !visit.nextFollowUpOn || visit.nextFollowUpOn >= visit.visitOn, { error: 'followUpBeforeVisit', path: ['nextFollowUpOn'] });

/**
 * Correct a visit recorded wrongly: its date, place, services, outcome and note, as they should
 * have been. Each change is kept in the history of corrections (the note's restricted there too).
 */
export const correctVisitInputSchema = z
  .object({
    visitId: idSchema,
    visitOn: isoDateSchema,
    place: z.enum(VISIT_PLACES, { error: 'required' }),
    serviceTypeIds,
    outcome: optionalText(300).default(null),
    note: optionalNote,
    version: recordVersionSchema,
  })
  .strict();

export const createReferralInputSchema = z
  .object({
    clientId: idSchema,
    partnerId: idSchema,
    serviceTypeId: idSchema,
    proposedOn: isoDateSchema,
    dueOn: isoDateSchema.nullable().default(null),
    note: optionalNote,
    /** Consent to share with this partner, recorded on the spot when there is none yet. */
    shareConsent: consentInputSchema.nullable().default(null),
  })
  .strict()
  .refine((referral) => !referral.dueOn || referral.dueOn >= referral.proposedOn, { error: 'dueBeforeProposed', path: ['dueOn'] });

export const slipSchema = z.object({
  code: z.string(),
  alias: z.string(),
  serviceTypeId: z.number(),
  /** Null for a child-protection referral not yet addressed to a named service. */
  partnerName: z.string().nullable(),
  partnerContact: z.string().nullable(),
  proposedOn: z.string(),
  dueOn: z.string().nullable(),
  /** Only when the client's consent to share with this partner allows it. */
  legalName: z.string().nullable(),
  phone: z.string().nullable(),
  centreName: z.string(),
});

export const serviceTypeSchema = z.object({
  id: z.number(),
  code: z.string(),
  group: z.enum(SERVICE_GROUPS),
  nameVi: z.string(),
  nameEn: z.string(),
  active: z.boolean(),
  used: z.number(),
  /** Its group and names now (the form sends it back with a change: RECORD_CHANGED if they changed meanwhile). */
  version: z.string(),
});
export type ServiceType = z.infer<typeof serviceTypeSchema>;

export const partnerSchema = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(PARTNER_KINDS),
  wardCode: z.number().nullable(),
  contact: z.string().nullable(),
  active: z.boolean(),
  /** What the partner is now (the form sends it back with a change: RECORD_CHANGED if it changed meanwhile). */
  version: z.string(),
});
export type Partner = z.infer<typeof partnerSchema>;

const nameField = z.string({ error: 'required' }).trim().min(2, { error: 'required' }).max(120, { error: 'tooLong' });

export const careChannels = {
  /** One visit, several services at once; a follow-up date makes a follow-up to do. */
  'visits.record': channel({
    input: recordVisitInputSchema,
    output: z.object({ visitId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'SERVICE_TYPE_NOT_FOUND', 'SERVICE_TYPE_INACTIVE', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  'visits.correct': channel({
    input: correctVisitInputSchema,
    output: z.object({ visitId: z.number(), changedFields: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['VISIT_NOT_FOUND', 'CORRECTION_NOT_ALLOWED', 'CLIENT_NOT_FOUND', 'CLIENT_RESTRICTED', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'SERVICE_TYPE_NOT_FOUND', 'SERVICE_TYPE_INACTIVE', 'DATE_IN_FUTURE', 'NOT_ASSIGNED', 'RECORD_CHANGED'],
  }),
  'referrals.create': channel({
    input: createReferralInputSchema,
    output: referralViewSchema,
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'PARTNER_NOT_FOUND', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'SERVICE_TYPE_NOT_FOUND', 'SERVICE_TYPE_INACTIVE', 'CONSENT_TEXT_OUTDATED', 'CONSENT_GIVER_INVALID', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  /**
   * Move a referral along (proposed → sent → received → completed / declined / lost). The app
   * records that it was completed, never a result or a diagnosis.
   */
  'referrals.setStatus': channel({
    input: z.object({ referralId: idSchema, status: z.enum(REFERRAL_STATUSES), on: isoDateSchema }).strict(),
    output: referralViewSchema,
    access: 'clients.write',
    audit: 'write',
    errors: ['REFERRAL_NOT_FOUND', 'REFERRAL_STATUS_INVALID', 'CASE_CLOSED', 'DATE_IN_FUTURE', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED'],
  }),
  /** What the printable slip carries: code, alias, service, partner and date, unless consent allows more. */
  'referrals.slip': channel({
    input: z.object({ referralId: idSchema }).strict(),
    output: slipSchema,
    access: 'clients.write',
    audit: 'write',
    errors: ['REFERRAL_NOT_FOUND', 'CONSENT_REQUIRED', 'CLIENT_RESTRICTED'],
  }),
  /** Someone who will not register: counts services, not persons. */
  'anonymous.record': channel({
    input: z
      .object({
        contactOn: isoDateSchema,
        ageBand: z.enum(AGE_BANDS, { error: 'required' }),
        sex: z.enum(SEXES, { error: 'required' }),
        place: z.enum(VISIT_PLACES, { error: 'required' }),
        serviceTypeIds,
      })
      .strict(),
    output: z.object({ contactId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['SERVICE_TYPE_NOT_FOUND', 'SERVICE_TYPE_INACTIVE', 'DATE_IN_FUTURE'],
  }),
  'catalogue.list': channel({
    input: z.object({}).strict(),
    output: z.array(serviceTypeSchema),
    access: 'session',
    audit: 'read',
    errors: [],
  }),
  /** The services the signed-in worker recorded most in the last 90 days, most used first (her visit form lists them first). */
  'catalogue.frequent': channel({
    input: z.object({}).strict(),
    output: z.object({ serviceTypeIds: z.array(z.number()) }),
    access: 'clients.write',
    audit: 'read',
    errors: [],
  }),
  /** Add a service type to a group, or rename one. Types are never deleted once used. */
  'catalogue.save': channel({
    input: z
      .object({ id: idSchema.nullable(), group: z.enum(SERVICE_GROUPS), nameVi: nameField, nameEn: nameField, version: recordVersionSchema.nullable() })
      .strict()
      .refine((type) => (type.id === null) === (type.version === null), { error: 'invalid', path: ['version'] }),
    output: serviceTypeSchema,
    access: 'catalogue.manage',
    audit: 'write',
    errors: ['SERVICE_TYPE_NOT_FOUND', 'RECORD_CHANGED'],
  }),
  'catalogue.setActive': channel({
    input: z.object({ id: idSchema, active: z.boolean() }).strict(),
    output: serviceTypeSchema,
    access: 'catalogue.manage',
    audit: 'write',
    errors: ['SERVICE_TYPE_NOT_FOUND'],
  }),
  'partners.list': channel({
    input: z.object({}).strict(),
    output: z.array(partnerSchema),
    access: 'session',
    audit: 'read',
    errors: [],
  }),
  /**
   * A worker adds a partner she refers to (a clinic, a vocational school) from the referral
   * form: partners are organisations, not client data. Managers edit or retire them.
   */
  'partners.add': channel({
    input: z
      .object({
        name: nameField,
        kind: z.enum(PARTNER_KINDS, { error: 'required' }),
        wardCode: wardCodeSchema.nullable().default(null),
        contact: optionalText(200),
      })
      .strict(),
    output: partnerSchema,
    access: 'clients.write',
    audit: 'write',
    errors: [],
  }),
  'partners.save': channel({
    input: z
      .object({
        id: idSchema.nullable(),
        name: nameField,
        kind: z.enum(PARTNER_KINDS, { error: 'required' }),
        wardCode: wardCodeSchema.nullable(),
        contact: optionalText(200),
        active: z.boolean().default(true),
        /** The partner's version when the form opened: required to change one, none for a new one. */
        version: recordVersionSchema.nullable(),
      })
      .strict()
      .refine((partner) => (partner.id === null) === (partner.version === null), { error: 'invalid', path: ['version'] }),
    output: partnerSchema,
    access: 'partners.manage',
    audit: 'write',
    errors: ['PARTNER_NOT_FOUND', 'RECORD_CHANGED'],
  }),
  /**
   * For managers: every stated reason, newest first: who opened an identity that is not hers,
   * who gave a case to herself, who changed her own roles; when, and why.
   */
  'identityAccess.list': channel({
    input: z
      .object({
        from: isoDateSchema.optional(),
        to: isoDateSchema.optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(ACCESS_PAGE_SIZE_MAX).default(50),
      })
      .strict(),
    output: z.object({
      total: z.number(),
      rows: z.array(
        z.object({
          id: z.number(),
          kind: z.enum(STATED_REASON_KINDS),
          at: z.string(),
          userName: z.string().nullable(),
          clientId: z.number().nullable(),
          clientCode: z.string().nullable(),
          reason: z.string(),
          /** For a change of one's own roles: the roles before and after. */
          roles: z.object({ before: z.array(z.enum(ROLES)), after: z.array(z.enum(ROLES)) }).nullable(),
        }),
      ),
    }),
    access: 'access.review',
    audit: 'read',
    errors: [],
  }),
} as const;
