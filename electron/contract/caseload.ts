import { z } from 'zod';
import { channel } from './channel.ts';
import { clientFiltersSchema } from './clients.ts';
import { idSchema, isoDateSchema, optionalText, reasonSchema, recordVersionSchema } from './schemas.ts';
import { CLOSE_REASONS, CONSENT_PURPOSES, SERVICE_GROUPS } from './vocabulary.ts';

/*
 * Caseloads: the worker's to-do list, cases moving between workers, and the manager's review
 * (dashboard, case reviews). Nothing here carries identity: codes and aliases at most.
 */

/** What the to-do list holds, one kind per rule. */
export const TODO_KINDS = ['offer', 'follow_up', 'referral_overdue', 'consent_expired', 'consent_expiring', 'no_contact'] as const;
export type TodoKind = (typeof TODO_KINDS)[number];

export const todoItemSchema = z.object({
  /** Stable while the item stands: `kind:id`. */
  key: z.string(),
  kind: z.enum(TODO_KINDS),
  clientId: z.number(),
  clientCode: z.string(),
  alias: z.string(),
  childPath: z.boolean(),
  /** The day it fell due (for an expiring consent: the day it will expire). */
  dueOn: z.string(),
  /** Days since it fell due; negative while it is still ahead. */
  daysOverdue: z.number(),
  /** Not due yet: shown because it falls due within the coming days (not in the count). */
  upcoming: z.boolean(),
  referralId: z.number().nullable(),
  serviceTypeId: z.number().nullable(),
  partnerName: z.string().nullable(),
  consentId: z.number().nullable(),
  consentPurpose: z.enum(CONSENT_PURPOSES).nullable(),
  /** For no contact: the threshold reached (the settings' warning or urgent number of days). */
  noContactDays: z.number().nullable(),
  lastContactOn: z.string().nullable(),
  offerId: z.number().nullable(),
  offeredBy: z.string().nullable(),
});
export type TodoItem = z.infer<typeof todoItemSchema>;

const countsByKind = z.object(Object.fromEntries(TODO_KINDS.map((kind) => [kind, z.number()])) as Record<TodoKind, z.ZodNumber>);

export const DASHBOARD_MAX_MONTHS = 36;
export const REASSIGN_MAX_IDS = 5000;
const comment = optionalText(2000).default(null);

const periodSchema = z
  .object({ from: isoDateSchema, to: isoDateSchema })
  .strict()
  .refine((period) => period.from <= period.to, { error: 'periodOrder', path: ['to'] })
  .refine((period) => monthsSpanned(period.from, period.to) <= DASHBOARD_MAX_MONTHS, { error: 'periodTooLong', path: ['to'] });

/** How many calendar months a period touches (January to March is 3). */
export function monthsSpanned(from: string, to: string): number {
  const [fromYear, fromMonth] = from.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = to.split('-').map(Number) as [number, number];
  return (toYear - fromYear) * 12 + (toMonth - fromMonth) + 1;
}

const workerLoadSchema = z.object({
  workerId: z.number(),
  name: z.string(),
  /** Deactivated staff still holding cases are listed so that their cases can be moved. */
  active: z.boolean(),
  openCases: z.number(),
  todo: countsByKind,
  /** Clients with no contact for the urgent number of days (also counted in `todo.no_contact`). */
  noContactUrgent: z.number(),
  notReviewed: z.number(),
});
export type WorkerLoad = z.infer<typeof workerLoadSchema>;

export const dashboardSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Months of the period, `yyyy-MM`, in order. */
  months: z.array(z.string()),
  workers: z.array(workerLoadSchema),
  newClients: z.array(z.object({ month: z.string(), count: z.number() })),
  /** Services delivered (to registered clients and at anonymous contacts), by month and service group. */
  services: z.array(z.object({ month: z.string(), group: z.enum(SERVICE_GROUPS), count: z.number() })),
  /** Referrals made in the period, by the group of the service referred to, and what became of them. */
  referrals: z.array(
    z.object({
      group: z.enum(SERVICE_GROUPS),
      made: z.number(),
      completed: z.number(),
      declined: z.number(),
      lost: z.number(),
      open: z.number(),
      /** Median days from proposal to completion, of those completed; null when none was. */
      medianDays: z.number().nullable(),
    }),
  ),
  closures: z.array(z.object({ reason: z.enum(CLOSE_REASONS), count: z.number() })),
  totals: z.object({ openCases: z.number(), newClients: z.number(), services: z.number(), referralsMade: z.number(), referralsCompleted: z.number(), closures: z.number() }),
  reviewIntervalMonths: z.number(),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export const dueReviewSchema = z.object({
  clientId: z.number(),
  code: z.string(),
  workerName: z.string().nullable(),
  registeredOn: z.string(),
  lastReviewedOn: z.string().nullable(),
  lastContactOn: z.string().nullable(),
});

/**
 * A working list keeps filters and order, never search text: a search may be a legal name,
 * which must not outlive the client's identity (erasure does not look here).
 */
export const savedFiltersSchema = clientFiltersSchema.omit({ search: true }).strict();
/** A working list, with what it is now (`version`): a change or deletion sends it back, refused (RECORD_CHANGED) if the list changed since at another PC. */
export const savedFilterSchema = z.object({ id: z.number(), name: z.string(), filters: savedFiltersSchema, version: z.string() });
export type SavedFilter = z.infer<typeof savedFilterSchema>;

const reassignSelection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('clients'), clientIds: z.array(idSchema).min(1, { error: 'required' }).max(REASSIGN_MAX_IDS, { error: 'tooLong' }) }).strict(),
  /** Every case a worker holds (e.g. when she leaves): open ones, or all. */
  z.object({ kind: z.literal('worker'), workerId: idSchema, status: z.enum(['open', 'all']) }).strict(),
]);

export const respondOfferInputSchema = z
  .object({ offerId: idSchema, accept: z.boolean(), reason: optionalText(500).default(null) })
  .strict()
  .refine((value) => value.accept || value.reason !== null, { error: 'declineReasonRequired', path: ['reason'] });

export const caseloadChannels = {
  /** The logged-in worker's to-do list, most overdue first. */
  'todo.list': channel({
    input: z.object({}).strict(),
    /** `aheadDays`: how far ahead the list looks (a setting). */
    output: z.object({ items: z.array(todoItemSchema), counts: countsByKind, aheadDays: z.number() }),
    access: 'clients.write',
    audit: 'read',
    errors: [],
  }),
  /** For the badge in the navigation. */
  'todo.count': channel({
    input: z.object({}).strict(),
    output: z.object({ total: z.number() }),
    access: 'clients.write',
    audit: 'read',
    errors: [],
  }),
  /**
   * Active workers, to offer or reassign a case to, with how many open cases each holds; with
   * `holders`, also anyone no longer active who still holds cases (to move them on).
   */
  'caseload.workers': channel({
    input: z.object({ holders: z.boolean().default(false) }).strict(),
    output: z.array(z.object({ id: z.number(), displayName: z.string(), active: z.boolean(), openCases: z.number(), cases: z.number() })),
    access: 'session',
    audit: 'read',
    errors: [],
  }),
  /** The worker who holds a case offers it to a colleague, who accepts or declines. */
  'caseload.offer': channel({
    input: z.object({ clientId: idSchema, toUserId: idSchema, message: optionalText(500).default(null) }).strict(),
    output: z.object({ offerId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_ASSIGNED', 'CASE_CLOSED', 'OFFER_TO_SELF', 'NOT_A_WORKER', 'OFFER_PENDING', 'CLIENT_RESTRICTED'],
  }),
  'caseload.withdrawOffer': channel({
    input: z.object({ offerId: idSchema }).strict(),
    output: z.object({}).strict(),
    access: 'clients.write',
    audit: 'write',
    errors: ['OFFER_NOT_FOUND'],
  }),
  /** Accepting moves the case (and the view of her identity) to the new worker; declining needs a reason. */
  'caseload.respond': channel({
    input: respondOfferInputSchema,
    output: z.object({ clientId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['OFFER_NOT_FOUND', 'CASE_CLOSED', 'CLIENT_RESTRICTED'],
  }),
  /**
   * A manager moves one case or many (e.g. everything a worker who leaves holds) to another
   * worker. A manager who is also a worker and gives cases to herself states why: the reason
   * is kept with each case she took and listed in the access review.
   */
  'caseload.reassign': channel({
    input: z.object({ selection: reassignSelection, toUserId: idSchema, reason: reasonSchema.optional() }).strict(),
    output: z.object({ reassigned: z.number() }),
    access: 'caseload.manage',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'NOT_A_WORKER', 'USER_NOT_FOUND', 'REASON_REQUIRED'],
  }),
  'dashboard.get': channel({
    input: periodSchema,
    output: dashboardSchema,
    access: 'caseload.manage',
    audit: 'read',
    errors: [],
  }),
  /** A manager marks a case reviewed; the comment is restricted like notes. */
  'reviews.record': channel({
    input: z.object({ clientId: idSchema, comment }).strict(),
    output: z.object({ reviewId: z.number() }),
    access: 'caseload.manage',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CLIENT_RESTRICTED'],
  }),
  /** Open cases not reviewed for `months` months (default: the centre's review interval). */
  'reviews.due': channel({
    input: z
      .object({
        months: z.number().int().min(1, { error: 'invalid' }).max(36, { error: 'invalid' }).optional(),
        workerId: idSchema.nullable().default(null),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.object({ total: z.number(), months: z.number(), before: z.string(), rows: z.array(dueReviewSchema) }),
    access: 'caseload.manage',
    audit: 'read',
    errors: [],
  }),
  /** Working lists: a person's named filters of the client list. */
  'savedFilters.list': channel({
    input: z.object({}).strict(),
    output: z.array(savedFilterSchema),
    access: 'clients.read',
    audit: 'read',
    errors: [],
  }),
  'savedFilters.save': channel({
    input: z
      .object({
        id: idSchema.nullable(),
        name: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(60, { error: 'tooLong' }),
        filters: savedFiltersSchema,
        /** The list's version as it was shown (null for a new list). */
        version: recordVersionSchema.nullable(),
      })
      .strict()
      .refine((input) => input.id === null || input.version !== null, { error: 'required', path: ['version'] }),
    output: savedFilterSchema,
    access: 'clients.read',
    audit: 'write',
    errors: ['SAVED_FILTER_NOT_FOUND', 'SAVED_FILTER_NAME_TAKEN', 'RECORD_CHANGED'],
  }),
  'savedFilters.delete': channel({
    input: z.object({ id: idSchema, version: recordVersionSchema }).strict(),
    output: z.object({}).strict(),
    access: 'clients.read',
    audit: 'write',
    errors: ['SAVED_FILTER_NOT_FOUND', 'RECORD_CHANGED'],
  }),
} as const;
