import { z } from 'zod';
import { channel } from './channel.ts';
import { idSchema, isoDateSchema } from './schemas.ts';

export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;

export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.number().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  errorCode: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** For entries about a staff account: that person's display name. */
  targetName: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const AUDIT_PAGE_SIZE_MAX = 200;

export const auditListInputSchema = z
  .object({
    actorId: idSchema.optional(),
    action: z.string().max(60, { error: 'tooLong' }).optional(),
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(AUDIT_PAGE_SIZE_MAX).default(50),
  })
  .strict();

export const auditVerifyOutputSchema = z.object({
  ok: z.boolean(),
  checked: z.number(),
  problem: z
    .object({
      kind: z.enum(['changed', 'missing', 'inserted', 'truncated']),
      id: z.number(),
    })
    .nullable(),
});

export const auditChannels = {
  'audit.list': channel({
    input: auditListInputSchema,
    output: z.object({
      total: z.number(),
      rows: z.array(auditEntrySchema),
      actors: z.array(z.object({ id: z.number(), displayName: z.string() })),
      actions: z.array(z.string()),
    }),
    access: 'audit.read',
    audit: 'read',
    errors: [],
  }),
  /** Recompute the hash chain: finds a changed, deleted or inserted entry. */
  'audit.verify': channel({
    input: z.object({}).strict(),
    output: auditVerifyOutputSchema,
    access: 'audit.read',
    audit: 'write',
    errors: [],
  }),
} as const;
