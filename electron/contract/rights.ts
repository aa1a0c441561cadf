import { z } from 'zod';
import { channel } from './channel.ts';
import { clientPageSchema, identityViewSchema } from './clients.ts';
import { idSchema } from './schemas.ts';

/*
 * Clients' rights under the personal data protection law (Law 91/2025/QH15): to see what the
 * centre holds about her, to have it corrected (with a history of what changed), to have
 * processing restricted while a request is handled, and to have her record erased. Also the
 * retention rule (cases closed long ago are de-identified) and the processing register.
 */

/** Why a record is frozen (no changes, no referrals) for a while. */
export const RESTRICTION_REASONS = ['client_request', 'accuracy_disputed', 'objection', 'complaint', 'other'] as const;
export type RestrictionReason = (typeof RESTRICTION_REASONS)[number];

/** Why a record is erased on request (withdrawal of consent and retention have their own paths). */
export const ERASURE_REASONS = ['client_request', 'no_longer_needed', 'recorded_in_error', 'other'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/** What the history of corrections names (the renderer words them). */
export const HISTORY_FIELDS = ['alias', 'birthYear', 'sex', 'wardCode', 'provinceCode', 'workSetting', 'legalName', 'phone', 'idNumber', 'address', 'visitOn', 'place', 'services', 'outcome', 'note'] as const;

export const historyRowSchema = z.object({
  id: z.number(),
  entity: z.enum(['client', 'identity', 'visit']),
  field: z.string(),
  /** Restricted values (identity) are null for whoever may not read restricted parts. */
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  restricted: z.boolean(),
  changedByName: z.string().nullable(),
  changedAt: z.string(),
  /** For a visit's corrections: the visit's date now, to say which visit. */
  visitOn: z.string().nullable(),
});
export type HistoryRow = z.infer<typeof historyRowSchema>;

export const restrictionSchema = z.object({ reason: z.enum(RESTRICTION_REASONS), since: z.string(), byName: z.string().nullable() });

const clientId = z.object({ clientId: idSchema }).strict();

export const rightsChannels = {
  /** What changed in her record, by whom and when, newest first. */
  'clients.history': channel({
    input: clientId,
    output: z.array(historyRowSchema),
    access: 'clients.read',
    audit: 'read',
    errors: ['CLIENT_NOT_FOUND'],
  }),
  /**
   * Her own record, to print or save for her: identity, services, referrals, consents, who
   * held her case, and corrections. Only for someone who may read her restricted parts
   * (her worker, or someone who stated a reason this session); audited.
   */
  'clients.accessSummary': channel({
    input: z.object({ clientId: idSchema, includeNotes: z.boolean() }).strict(),
    output: z.object({
      centreName: z.string(),
      generatedAt: z.string(),
      includeNotes: z.boolean(),
      client: clientPageSchema,
      identity: identityViewSchema,
      history: z.array(historyRowSchema),
      restriction: restrictionSchema.nullable(),
    }),
    access: 'clients.read',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'REASON_REQUIRED'],
  }),
  /** Freeze her record while a request is handled: nothing about her changes, no referral goes out. */
  'clients.restrict': channel({
    input: z.object({ clientId: idSchema, reason: z.enum(RESTRICTION_REASONS, { error: 'required' }) }).strict(),
    output: z.object({}).strict(),
    access: 'clients.read',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_ASSIGNED', 'CLIENT_RESTRICTED'],
  }),
  'clients.unrestrict': channel({
    input: clientId,
    output: z.object({}).strict(),
    access: 'clients.read',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_ASSIGNED'],
  }),
  /**
   * Erase her record on request: identity, notes, contact details, consents, referrals, history
   * go (overwritten in the file); her visits stay only as anonymous contacts. Confirmed by
   * typing her code. Cannot be undone; a restore of an older backup erases her again.
   */
  'clients.erase': channel({
    input: z.object({ clientId: idSchema, reason: z.enum(ERASURE_REASONS, { error: 'required' }), confirmCode: z.string().max(20, { error: 'tooLong' }) }).strict(),
    output: z.object({ erased: z.boolean() }),
    access: 'clients.read',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_ASSIGNED', 'ERASE_CONFIRMATION_MISMATCH'],
  }),
  /** Cases due under the retention rule (closed more than N years ago), before anything is done. */
  'retention.preview': channel({
    input: z.object({}).strict(),
    output: z.object({
      years: z.number(),
      /** Cases closed on or before this date are due; null when the rule is off. */
      closedBefore: z.string().nullable(),
      due: z.array(z.object({ clientId: z.number(), closedOn: z.string(), visits: z.number(), referrals: z.number() })),
      /** Cases otherwise due but frozen while a request of hers is handled: kept until lifted. */
      heldFrozen: z.number(),
    }),
    access: 'settings.manage',
    audit: 'read',
    errors: [],
  }),
  /** De-identify exactly the cases the preview showed (refused if the list changed meanwhile). */
  'retention.apply': channel({
    input: z.object({ clientIds: z.array(idSchema).max(100_000), confirm: z.literal(true, { error: 'required' }) }).strict(),
    output: z.object({ deidentified: z.number() }),
    access: 'settings.manage',
    audit: 'write',
    errors: ['RETENTION_CHANGED'],
  }),
  /** The facts behind the processing register (printable), from the app's own settings. */
  'register.get': channel({
    input: z.object({}).strict(),
    output: z.object({
      centreName: z.string(),
      centreCode: z.string(),
      generatedAt: z.string(),
      retentionYears: z.number(),
      reportK: z.number(),
      lockTimeoutMinutes: z.number(),
      backupEveryHours: z.number(),
      backupKeep: z.number(),
      backupFolderSet: z.boolean(),
      kdf: z.object({ N: z.number(), r: z.number(), p: z.number() }),
      roles: z.array(z.object({ role: z.string(), people: z.number(), permissions: z.array(z.string()) })),
      partners: z.number(),
      consentTexts: z.array(z.object({ purpose: z.string(), version: z.string() })),
      counts: z.object({ clients: z.number(), openCases: z.number(), restricted: z.number(), erased: z.number() }),
    }),
    access: 'audit.read',
    audit: 'read',
    errors: [],
  }),
} as const;
