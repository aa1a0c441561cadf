import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { writeFileAtomic } from '../files.ts';
import { deriveKey, scryptParamsSchema, type ScryptParams } from './kdf.ts';

/*
 * The keyring sits beside the database because it must be read before the database can be
 * opened. It holds one slot per person (and one for the recovery code), each wrapping the same
 * random 256-bit data key with AES-256-GCM under a key derived from that person's secret.
 *
 * A password slot's id and its wrapping key both come from scrypt(password, salt(username)):
 * without the password, the file says nothing about which usernames exist (there is no
 * per-user salt or keyed hash to test a guess against), and finding one's own slot costs the
 * same derivation whether or not the name exists.
 */

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+=*$/)
    .refine((text) => Buffer.from(text, 'base64').length === bytes);

export const RECOVERY_SLOT_ID = 'recovery';

const wrapFields = { kdf: scryptParamsSchema, iv: base64(12), wrapped: base64(32), tag: base64(16) };

const passwordSlotSchema = z
  .object({ id: z.string().regex(/^[A-Za-z0-9_-]{43}$/), kind: z.literal('password'), ...wrapFields })
  .strict();
const recoverySlotSchema = z
  .object({ id: z.literal(RECOVERY_SLOT_ID), kind: z.literal('recovery'), salt: base64(16), ...wrapFields })
  .strict();
const slotSchema = z.discriminatedUnion('kind', [passwordSlotSchema, recoverySlotSchema]);
export type KeySlot = z.infer<typeof slotSchema>;
export type PasswordSlot = z.infer<typeof passwordSlotSchema>;

const keyringSchema = z
  .object({
    format: z.literal('dong-hanh-keyring'),
    version: z.literal(1),
    vaultId: z.uuid(),
    /** Mixed into every password slot's salt, so two vaults never share one. */
    vaultSalt: base64(16),
    /** Parameters for new slots, calibrated on this PC at setup. */
    kdf: scryptParamsSchema,
    /** Public half of the key that seals usernames of failed logins (see sealed-box.ts). */
    auditKey: z.string().max(200),
    /** A vault of synthetic data for training: the app says so on every screen. */
    training: z.boolean().optional(),
    slots: z.array(slotSchema).max(10_000),
  })
  .strict()
  .refine((keyring) => new Set(keyring.slots.map((slot) => slot.id)).size === keyring.slots.length);
export type Keyring = z.infer<typeof keyringSchema>;

export function newKeyring(kdf: ScryptParams, auditKey: string, training = false): Keyring {
  return {
    format: 'dong-hanh-keyring',
    version: 1,
    vaultId: randomUUID(),
    vaultSalt: randomBytes(16).toString('base64'),
    kdf,
    auditKey,
    ...(training ? { training: true } : {}),
    slots: [],
  };
}

/** Throws KEYRING_CORRUPT for anything that is not a well-formed keyring; never repairs. */
export function readKeyring(path: string): Keyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
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

/** What one derivation from a secret yields: the slot's id and the key that wraps the data key. */
interface SlotKeys {
  id: string;
  kek: Buffer;
}

function splitMaterial(material: Buffer, id: string | null): SlotKeys {
  const kek = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'dong-hanh/keyring/kek', 32));
  const slotId = id ?? Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'dong-hanh/keyring/slot-id', 32)).toString('base64url');
  material.fill(0);
  return { id: slotId, kek };
}

function passwordSalt(keyring: Keyring, username: string): Buffer {
  return createHash('sha256').update(`dong-hanh/keyring/salt|${keyring.vaultSalt}|${username}`).digest().subarray(0, 16);
}

export async function passwordSlotKeys(keyring: Keyring, username: string, password: string, kdf: ScryptParams): Promise<SlotKeys> {
  const secret = Buffer.from(password, 'utf8');
  try {
    return splitMaterial(await deriveKey(secret, passwordSalt(keyring, username), kdf), null);
  } finally {
    secret.fill(0);
  }
}

async function recoverySlotKeys(code: string, salt: Buffer, kdf: ScryptParams): Promise<SlotKeys> {
  const secret = Buffer.from(code, 'utf8');
  try {
    return splitMaterial(await deriveKey(secret, salt, kdf), RECOVERY_SLOT_ID);
  } finally {
    secret.fill(0);
  }
}

function additionalData(keyring: Keyring, slot: Pick<KeySlot, 'id' | 'kind' | 'kdf'>): Buffer {
  const { N, r, p } = slot.kdf;
  return Buffer.from(`dong-hanh-keyring/v1|${keyring.vaultId}|${slot.id}|${slot.kind}|${N},${r},${p}`);
}

function wrap(keyring: Keyring, header: Pick<KeySlot, 'id' | 'kind' | 'kdf'>, kek: Buffer, dataKey: Buffer) {
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, iv);
    cipher.setAAD(additionalData(keyring, header));
    const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { iv: iv.toString('base64'), wrapped: wrapped.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  } finally {
    kek.fill(0);
  }
}

/** The data key, or null when the key does not open the slot (the GCM tag does not verify). */
function unwrap(keyring: Keyring, slot: KeySlot, kek: Buffer): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(slot.iv, 'base64'));
  decipher.setAAD(additionalData(keyring, slot));
  decipher.setAuthTag(Buffer.from(slot.tag, 'base64'));
  const dataKey = Buffer.alloc(32);
  const parts: Buffer[] = [];
  try {
    parts.push(decipher.update(Buffer.from(slot.wrapped, 'base64')), decipher.final());
    const plain = Buffer.concat(parts);
    if (plain.length !== dataKey.length) return null;
    plain.copy(dataKey);
    plain.fill(0);
    return dataKey;
  } catch {
    return null;
  } finally {
    for (const part of parts) part.fill(0);
    kek.fill(0);
  }
}

export async function sealPasswordSlot(keyring: Keyring, username: string, password: string, dataKey: Buffer): Promise<PasswordSlot> {
  const { id, kek } = await passwordSlotKeys(keyring, username, password, keyring.kdf);
  const header = { id, kind: 'password' as const, kdf: keyring.kdf };
  return { ...header, ...wrap(keyring, header, kek, dataKey) };
}

export async function sealRecoverySlot(keyring: Keyring, code: string, dataKey: Buffer): Promise<KeySlot> {
  // A random salt here: the code carries 160 bits and names nobody.
  const salt = randomBytes(16);
  const { kek } = await recoverySlotKeys(code, salt, keyring.kdf);
  const header = { id: RECOVERY_SLOT_ID as typeof RECOVERY_SLOT_ID, kind: 'recovery' as const, kdf: keyring.kdf };
  return { ...header, salt: salt.toString('base64'), ...wrap(keyring, header, kek, dataKey) };
}

/**
 * Find and open this person's slot: one derivation per distinct parameter set in use
 * (normally one), the same work whether or not the name exists.
 */
export async function openPasswordSlot(
  keyring: Keyring,
  username: string,
  password: string,
): Promise<{ slotId: string; dataKey: Buffer } | null> {
  const parameterSets = new Map<string, ScryptParams>();
  for (const params of [keyring.kdf, ...keyring.slots.filter((s) => s.kind === 'password').map((s) => s.kdf)]) {
    parameterSets.set(`${params.N},${params.r},${params.p}`, params);
  }
  let found: { slotId: string; dataKey: Buffer } | null = null;
  for (const params of parameterSets.values()) {
    const keys = await passwordSlotKeys(keyring, username, password, params);
    const slot = keyring.slots.find((s) => s.kind === 'password' && s.id === keys.id && sameParams(s.kdf, params));
    const dataKey: Buffer | null = !found && slot ? unwrap(keyring, slot, keys.kek) : null;
    keys.kek.fill(0);
    if (dataKey) found = { slotId: keys.id, dataKey };
  }
  return found;
}

export async function openRecoverySlot(keyring: Keyring, code: string): Promise<Buffer | null> {
  const slot = keyring.slots.find((s) => s.kind === 'recovery');
  if (!slot || slot.kind !== 'recovery') return null;
  const { kek } = await recoverySlotKeys(code, Buffer.from(slot.salt, 'base64'), slot.kdf);
  return unwrap(keyring, slot, kek);
}

function sameParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.N === b.N && a.r === b.r && a.p === b.p;
}

export function withSlot(keyring: Keyring, slot: KeySlot): Keyring {
  return { ...keyring, slots: [...keyring.slots.filter((s) => s.id !== slot.id), slot] };
}

export function withoutSlot(keyring: Keyring, id: string): Keyring {
  return { ...keyring, slots: keyring.slots.filter((s) => s.id !== id) };
}
