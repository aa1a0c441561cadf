import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { writeFileAtomic } from '../files.ts';
import { deriveKey, scryptParamsSchema, type ScryptParams } from './kdf.ts';
import { newSealingKeyPair, open as openSealed, seal } from './sealed-box.ts';

/*
 * The keyring sits beside the database because it must be read before the database can be
 * opened. It holds one slot per person (and one for the recovery code), each wrapping the same
 * random 256-bit data key with AES-256-GCM under a key derived from that person's secret.
 *
 * A password slot's id and its wrapping key both come from scrypt(password, salt(username)):
 * without the password, the file says nothing about which usernames exist (there is no
 * per-user salt or keyed hash to test a guess against), and finding one's own slot costs the
 * same derivation whether or not the name exists.
 *
 * Each password slot also holds a key pair for re-keying (`box`): its public half in clear,
 * its private half wrapped under a third key from the same derivation. When the data key is
 * rotated (after someone leaves), the new key is sealed to each remaining person's public half
 * (a `sealed` slot): only her password opens it, and at her next login it becomes an ordinary
 * slot again. Nobody has to be given a new password, and whoever knew the old data key learns
 * nothing of the new one.
 *
 * The file itself is not trusted until it is proven (`proof`): an HMAC over all of it under a
 * key derived from the data key, checked right after a slot opens and before anything else in
 * the file is used. Someone who can write the file but holds no password cannot add a slot,
 * swap a public key or the audit key, or mark a vault as training without the next unlock
 * refusing the file.
 */

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+=*$/)
    .refine((text) => Buffer.from(text, 'base64').length === bytes);

export const RECOVERY_SLOT_ID = 'recovery';

const wrapFields = { kdf: scryptParamsSchema, iv: base64(12), wrapped: base64(32), tag: base64(16) };

const slotId = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** X25519 public key (SPKI DER, 44 bytes) and its private half (PKCS#8 DER, 48 bytes) wrapped. */
const boxSchema = z.object({ publicKey: base64(44), iv: base64(12), wrapped: base64(48), tag: base64(16) }).strict();
const passwordSlotSchema = z
  .object({ id: slotId, kind: z.literal('password'), ...wrapFields, box: boxSchema.optional() })
  .strict();
/** A password slot after a key rotation: the new data key sealed to the slot's public half. */
const sealedSlotSchema = z
  .object({ id: slotId, kind: z.literal('sealed'), kdf: scryptParamsSchema, box: boxSchema, sealedKey: z.string().max(400) })
  .strict();
const recoverySlotSchema = z
  .object({ id: z.literal(RECOVERY_SLOT_ID), kind: z.literal('recovery'), salt: base64(16), ...wrapFields })
  .strict();
const slotSchema = z.discriminatedUnion('kind', [passwordSlotSchema, sealedSlotSchema, recoverySlotSchema]);
export type KeySlot = z.infer<typeof slotSchema>;
export type PasswordSlot = z.infer<typeof passwordSlotSchema>;
type SealedSlot = z.infer<typeof sealedSlotSchema>;
type PersonSlot = PasswordSlot | SealedSlot;
/** A slot that belongs to a person (her password, or sealed to her at a rotation). */
export const isPersonSlot = (slot: KeySlot): slot is PersonSlot => slot.kind === 'password' || slot.kind === 'sealed';

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
    /** HMAC-SHA256 of everything else, under a key derived from the data key (absent: written by release 0.1.0). */
    proof: base64(32).optional(),
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('KEYRING_CORRUPT', {}, { cause: error });
  }
  return parseKeyring(text);
}

/** A keyring from its text (a file's, or the server's keyring row); KEYRING_CORRUPT otherwise. */
export function parseKeyring(text: string): Keyring {
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

/** The keyring's text, always with its proof, made with the data key its slots open. */
export function keyringText(keyring: Keyring, dataKey: Buffer): string {
  return `${JSON.stringify(proven(keyring, dataKey), null, 2)}\n`;
}

/** Written only with its proof, made with the data key its slots open. */
export function writeKeyring(path: string, keyring: Keyring, dataKey: Buffer): void {
  writeFileAtomic(path, keyringText(keyring, dataKey));
}

/** The same content always gives the same text: object keys sorted, slots in id order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function proofOf(keyring: Keyring, dataKey: Buffer): Buffer {
  const { proof: _ignored, ...content } = keyring;
  const ordered = { ...content, slots: [...content.slots].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
  const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'dong-hanh/keyring/proof', 32));
  try {
    return createHmac('sha256', key).update(`dong-hanh-keyring/proof/v1|${canonical(ordered)}`).digest();
  } finally {
    key.fill(0);
  }
}

export function proven(keyring: Keyring, dataKey: Buffer): Keyring {
  return { ...keyring, proof: proofOf(keyring, dataKey).toString('base64') };
}

/**
 * Does the keyring carry a proof made with this data key over exactly what it holds? A
 * keyring from release 0.1.0 has none: 'absent' (see Vault: it is taken over once, keeping
 * only what the database vouches for).
 */
export function checkProof(keyring: Keyring, dataKey: Buffer): 'proven' | 'absent' | 'false' {
  if (!keyring.proof) return 'absent';
  const expected = proofOf(keyring, dataKey);
  const given = Buffer.from(keyring.proof, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'proven' : 'false';
}

/**
 * What one derivation from a secret yields: the slot's id, the key that wraps the data key,
 * and the key that wraps the slot's private half.
 */
interface SlotKeys {
  id: string;
  kek: Buffer;
  boxKey: Buffer;
}

function splitMaterial(material: Buffer, id: string | null): SlotKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, 32));
  const kek = derive('dong-hanh/keyring/kek');
  const boxKey = derive('dong-hanh/keyring/box');
  const slotId = id ?? derive('dong-hanh/keyring/slot-id').toString('base64url');
  material.fill(0);
  return { id: slotId, kek, boxKey };
}

function wipe(keys: SlotKeys): void {
  keys.kek.fill(0);
  keys.boxKey.fill(0);
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

/** What a wrap is bound to: this vault, this slot, its kind (`box` for the private half) and parameters. */
function additionalData(keyring: Keyring, slot: { id: string; kind: string; kdf: ScryptParams }): Buffer {
  const { N, r, p } = slot.kdf;
  return Buffer.from(`dong-hanh-keyring/v1|${keyring.vaultId}|${slot.id}|${slot.kind}|${N},${r},${p}`);
}

/** AES-256-GCM under `key`, bound to `header`. Does not wipe the key. */
function wrap(keyring: Keyring, header: { id: string; kind: string; kdf: ScryptParams }, key: Buffer, secret: Buffer) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(keyring, header));
  const wrapped = Buffer.concat([cipher.update(secret), cipher.final()]);
  return { iv: iv.toString('base64'), wrapped: wrapped.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** The wrapped secret, or null when the key does not open it (the GCM tag does not verify). */
function unwrap(keyring: Keyring, header: { id: string; kind: string; kdf: ScryptParams }, sealed: { iv: string; wrapped: string; tag: string }, key: Buffer, length: number): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(additionalData(keyring, header));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const parts: Buffer[] = [];
  try {
    parts.push(decipher.update(Buffer.from(sealed.wrapped, 'base64')), decipher.final());
    const plain = Buffer.concat(parts);
    if (plain.length !== length) {
      plain.fill(0);
      return null;
    }
    return plain;
  } catch {
    return null;
  } finally {
    for (const part of parts) part.fill(0);
  }
}

/** A fresh key pair for a slot, its private half wrapped under the slot's box key. */
function newBox(keyring: Keyring, header: { id: string; kdf: ScryptParams }, boxKey: Buffer): NonNullable<PasswordSlot['box']> {
  const pair = newSealingKeyPair();
  const privateKey = Buffer.from(pair.privateKey, 'base64');
  try {
    return { publicKey: pair.publicKey, ...wrap(keyring, { ...header, kind: 'box' }, boxKey, privateKey) };
  } finally {
    privateKey.fill(0);
  }
}

/** A password slot from keys already derived (wiped afterwards). */
function passwordSlotFrom(keyring: Keyring, keys: SlotKeys, kdf: ScryptParams, dataKey: Buffer): PasswordSlot {
  try {
    const header = { id: keys.id, kind: 'password' as const, kdf };
    return { ...header, ...wrap(keyring, header, keys.kek, dataKey), box: newBox(keyring, header, keys.boxKey) };
  } finally {
    wipe(keys);
  }
}

export async function sealPasswordSlot(keyring: Keyring, username: string, password: string, dataKey: Buffer): Promise<PasswordSlot> {
  return passwordSlotFrom(keyring, await passwordSlotKeys(keyring, username, password, keyring.kdf), keyring.kdf, dataKey);
}

const sealedKeyText = (keyring: Keyring, slotId: string, dataKey: Buffer) => `dong-hanh-keyring/rotated|${keyring.vaultId}|${slotId}|${dataKey.toString('base64')}`;

/**
 * After a rotation: the new data key sealed to the public half of a person's slot, so that her
 * own password opens it. A slot without a key pair (made before this version, its owner not
 * logged in since) cannot be carried over: null.
 */
export function sealedSlotFor(keyring: Keyring, slot: KeySlot, dataKey: Buffer): SealedSlot | null {
  if (!isPersonSlot(slot) || !slot.box) return null;
  return { id: slot.id, kind: 'sealed', kdf: slot.kdf, box: slot.box, sealedKey: seal(slot.box.publicKey, sealedKeyText(keyring, slot.id, dataKey)) };
}

function openSealedSlot(keyring: Keyring, slot: SealedSlot, boxKey: Buffer): Buffer | null {
  const privateKey = unwrap(keyring, { ...slot, kind: 'box' }, slot.box, boxKey, 48);
  if (!privateKey) return null;
  const text = openSealed(privateKey.toString('base64'), slot.sealedKey);
  privateKey.fill(0);
  const prefix = sealedKeyText(keyring, slot.id, Buffer.alloc(0));
  if (!text?.startsWith(prefix)) return null;
  const dataKey = Buffer.from(text.slice(prefix.length), 'base64');
  return dataKey.length === 32 ? dataKey : null;
}

export async function sealRecoverySlot(keyring: Keyring, code: string, dataKey: Buffer): Promise<KeySlot> {
  // A random salt here: the code carries 160 bits and names nobody.
  const salt = randomBytes(16);
  const keys = await recoverySlotKeys(code, salt, keyring.kdf);
  const header = { id: RECOVERY_SLOT_ID as typeof RECOVERY_SLOT_ID, kind: 'recovery' as const, kdf: keyring.kdf };
  try {
    return { ...header, salt: salt.toString('base64'), ...wrap(keyring, header, keys.kek, dataKey) };
  } finally {
    wipe(keys);
  }
}

interface OpenedSlot {
  slotId: string;
  dataKey: Buffer;
  /**
   * An ordinary slot to put in place of the one opened, when that one was sealed after a
   * rotation or has no key pair yet (so the next rotation can carry it over).
   */
  renewed: PasswordSlot | null;
}

/**
 * Find and open this person's slot: one derivation per distinct parameter set in use
 * (normally one), the same work whether or not the name exists.
 */
export async function openPasswordSlot(keyring: Keyring, username: string, password: string): Promise<OpenedSlot | null> {
  const parameterSets = new Map<string, ScryptParams>();
  for (const params of [keyring.kdf, ...keyring.slots.filter(isPersonSlot).map((s) => s.kdf)]) {
    parameterSets.set(`${params.N},${params.r},${params.p}`, params);
  }
  let found: OpenedSlot | null = null;
  for (const params of parameterSets.values()) {
    const keys = await passwordSlotKeys(keyring, username, password, params);
    const slot = keyring.slots.filter(isPersonSlot).find((s) => s.id === keys.id && sameParams(s.kdf, params));
    let dataKey: Buffer | null = null;
    if (!found && slot) dataKey = slot.kind === 'password' ? unwrap(keyring, slot, slot, keys.kek, 32) : openSealedSlot(keyring, slot, keys.boxKey);
    if (slot && dataKey) {
      const renewed = slot.kind === 'sealed' || !slot.box ? passwordSlotFrom(keyring, keys, slot.kdf, dataKey) : null;
      found = { slotId: keys.id, dataKey, renewed };
    }
    wipe(keys);
  }
  return found;
}

export async function openRecoverySlot(keyring: Keyring, code: string): Promise<Buffer | null> {
  const slot = keyring.slots.find((s) => s.kind === 'recovery');
  if (!slot || slot.kind !== 'recovery') return null;
  const keys = await recoverySlotKeys(code, Buffer.from(slot.salt, 'base64'), slot.kdf);
  try {
    return unwrap(keyring, slot, slot, keys.kek, 32);
  } finally {
    wipe(keys);
  }
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
