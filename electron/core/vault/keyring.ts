import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { writeFileAtomic } from '../files.ts';
import { deriveKey, scryptParamsSchema, type ScryptParams } from './kdf.ts';

/*
 * The keyring sits beside the database because it must be read before the database can be
 * opened. It holds one slot per person (and one for the recovery code), each wrapping the same
 * random 256-bit data key with AES-256-GCM under a key derived from that person's secret.
 * Slots are indexed by a keyed hash of the username, so the file names nobody.
 */

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+=*$/)
    .refine((text) => Buffer.from(text, 'base64').length === bytes);

export const RECOVERY_SLOT_ID = 'recovery';

const slotSchema = z
  .object({
    id: z.string().regex(/^([A-Za-z0-9_-]{43}|recovery)$/),
    kind: z.enum(['password', 'recovery']),
    kdf: scryptParamsSchema,
    salt: base64(16),
    iv: base64(12),
    wrapped: base64(32),
    tag: base64(16),
  })
  .strict();
export type KeySlot = z.infer<typeof slotSchema>;

const keyringSchema = z
  .object({
    format: z.literal('dong-hanh-keyring'),
    version: z.literal(1),
    vaultId: z.uuid(),
    indexKey: base64(32),
    kdf: scryptParamsSchema,
    slots: z.array(slotSchema).max(10_000),
  })
  .strict()
  .refine((keyring) => new Set(keyring.slots.map((slot) => slot.id)).size === keyring.slots.length);
export type Keyring = z.infer<typeof keyringSchema>;

export function newKeyring(kdf: ScryptParams): Keyring {
  return {
    format: 'dong-hanh-keyring',
    version: 1,
    vaultId: randomUUID(),
    indexKey: randomBytes(32).toString('base64'),
    kdf,
    slots: [],
  };
}

/** Throws KEYRING_CORRUPT for anything that is not a well-formed keyring; never repairs. */
export function readKeyring(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('KEYRING_CORRUPT', {}, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AppError('KEYRING_CORRUPT', {}, { cause: error });
  }
  const result = keyringSchema.safeParse(parsed);
  if (!result.success) throw new AppError('KEYRING_CORRUPT');
  return result.data;
}

export function writeKeyring(path: string, keyring: Keyring): void {
  writeFileAtomic(path, `${JSON.stringify(keyring, null, 2)}\n`);
}

export function slotIdForUsername(keyring: Keyring, username: string): string {
  return createHmac('sha256', Buffer.from(keyring.indexKey, 'base64'))
    .update(`user:${username}`)
    .digest('base64url');
}

function additionalData(vaultId: string, slot: Pick<KeySlot, 'id' | 'kind' | 'kdf' | 'salt'>): Buffer {
  const { N, r, p } = slot.kdf;
  return Buffer.from(`dong-hanh-keyring/v1|${vaultId}|${slot.id}|${slot.kind}|${N},${r},${p}|${slot.salt}`);
}

export async function sealSlot(args: {
  keyring: Keyring;
  id: string;
  kind: KeySlot['kind'];
  secret: Buffer;
  dataKey: Buffer;
}): Promise<KeySlot> {
  const salt = randomBytes(16).toString('base64');
  const header = { id: args.id, kind: args.kind, kdf: args.keyring.kdf, salt };
  const kek = await deriveKey(args.secret, Buffer.from(salt, 'base64'), header.kdf);
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, iv);
    cipher.setAAD(additionalData(args.keyring.vaultId, header));
    const wrapped = Buffer.concat([cipher.update(args.dataKey), cipher.final()]);
    return {
      ...header,
      iv: iv.toString('base64'),
      wrapped: wrapped.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  } finally {
    kek.fill(0);
  }
}

/** The data key, or null when the secret is wrong (the GCM tag does not verify). */
export async function openSlot(keyring: Keyring, slot: KeySlot, secret: Buffer): Promise<Buffer | null> {
  const kek = await deriveKey(secret, Buffer.from(slot.salt, 'base64'), slot.kdf);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(slot.iv, 'base64'));
    decipher.setAAD(additionalData(keyring.vaultId, slot));
    decipher.setAuthTag(Buffer.from(slot.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(slot.wrapped, 'base64')), decipher.final()]);
  } catch {
    return null;
  } finally {
    kek.fill(0);
  }
}

export function findSlot(keyring: Keyring, id: string): KeySlot | undefined {
  return keyring.slots.find((slot) => slot.id === id);
}

export function withSlot(keyring: Keyring, slot: KeySlot): Keyring {
  return { ...keyring, slots: [...keyring.slots.filter((s) => s.id !== slot.id), slot] };
}

export function withoutSlot(keyring: Keyring, id: string): Keyring {
  return { ...keyring, slots: keyring.slots.filter((s) => s.id !== id) };
}
