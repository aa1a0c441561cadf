import { z } from 'zod';
import { channel } from './channel.ts';
import { idSchema, isoDateSchema, optionalText } from './schemas.ts';
import { AGE_BANDS, SEXES, VISIT_PLACES } from './vocabulary.ts';

/*
 * Group sessions: peer-group meetings, self-help clubs, awareness sessions and classes. A
 * session has a date, kind, place, topic and who led it; the registered clients who attended
 * (each gets the session's service on her record, under her consent rules, recorded by the
 * worker who holds her case); and the others who came, counted by sex and age band only.
 * Who attended is restricted like notes: each worker sees her own clients among them.
 */

export const GROUP_KINDS = ['peer_group', 'self_help_club', 'awareness', 'class'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
/** The most people one session's form takes (registered clients, or others in one cell). */
export const GROUP_MAX = 200;

const clientIds = z
  .array(idSchema)
  .max(GROUP_MAX, { error: 'tooLong' })
  .refine((ids) => new Set(ids).size === ids.length, { error: 'invalid' });

export const groupOthersSchema = z
  .array(
    z
      .object({
        sex: z.enum(SEXES, { error: 'required' }),
        ageBand: z.enum(AGE_BANDS, { error: 'required' }),
        count: z.number({ error: 'invalid' }).int({ error: 'invalid' }).min(1, { error: 'invalid' }).max(GROUP_MAX, { error: 'tooLong' }),
      })
      .strict(),
  )
  .max(SEXES.length * AGE_BANDS.length, { error: 'tooLong' })
  .refine((cells) => new Set(cells.map((cell) => `${cell.sex}|${cell.ageBand}`)).size === cells.length, { error: 'groupCellTwice' });

export const recordGroupInputSchema = z
  .object({
    heldOn: isoDateSchema,
    kind: z.enum(GROUP_KINDS, { error: 'required' }),
    place: z.enum(VISIT_PLACES, { error: 'required' }),
    /** What it was about, in general words: never a person. */
    topic: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(200, { error: 'tooLong' }),
    /** Who led it (a worker or a peer educator). */
    ledBy: optionalText(120).default(null),
    /** The service each registered attendee receives. */
    serviceTypeId: idSchema,
    clientIds,
    others: groupOthersSchema,
  })
  .strict()
  .refine((session) => session.clientIds.length > 0 || session.others.length > 0, { error: 'groupEmpty', path: ['clientIds'] });
export type RecordGroupInput = z.input<typeof recordGroupInputSchema>;

const sessionSchema = z.object({
  id: z.number(),
  heldOn: z.string(),
  kind: z.enum(GROUP_KINDS),
  place: z.enum(VISIT_PLACES),
  topic: z.string(),
  ledBy: z.string().nullable(),
  serviceTypeId: z.number(),
  /** How many registered clients attended, and how many others. */
  registered: z.number(),
  others: z.number(),
  recordedByName: z.string().nullable(),
});
export type GroupSessionView = z.infer<typeof sessionSchema>;

export const groupsChannels = {
  'groups.record': channel({
    input: recordGroupInputSchema,
    output: z.object({ sessionId: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['CLIENT_NOT_FOUND', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED', 'SERVICE_TYPE_NOT_FOUND', 'SERVICE_TYPE_INACTIVE', 'DATE_IN_FUTURE'],
  }),
  /** A colleague adds the clients she holds who came to a session already recorded. */
  'groups.attend': channel({
    input: z.object({ sessionId: idSchema, clientIds: clientIds.refine((ids) => ids.length > 0, { error: 'required' }) }).strict(),
    output: z.object({ added: z.number() }),
    access: 'clients.write',
    audit: 'write',
    errors: ['GROUP_NOT_FOUND', 'CLIENT_NOT_FOUND', 'CONSENT_REQUIRED', 'CASE_CLOSED', 'CLIENT_RESTRICTED', 'NOT_ASSIGNED', 'SERVICE_TYPE_INACTIVE'],
  }),
  'groups.list': channel({
    input: z.object({ limit: z.number().int().min(1).max(200).default(50), offset: z.number().int().min(0).default(0) }).strict(),
    output: z.object({ total: z.number(), rows: z.array(sessionSchema) }),
    access: 'clients.read',
    audit: 'read',
    errors: [],
  }),
  /** A session, with only the attendees the viewer may see (her own clients, or those she stated a reason for). */
  'groups.get': channel({
    input: z.object({ sessionId: idSchema }).strict(),
    output: sessionSchema.extend({
      attendees: z.array(z.object({ clientId: z.number(), code: z.string(), alias: z.string() })),
      hiddenAttendees: z.number(),
      othersByCell: z.array(z.object({ sex: z.enum(SEXES), ageBand: z.enum(AGE_BANDS), count: z.number() })),
    }),
    access: 'clients.read',
    audit: 'read',
    errors: ['GROUP_NOT_FOUND'],
  }),
} as const;
