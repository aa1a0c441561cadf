import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';

/*
 * A sealed box: anyone holding the public key can seal a short text that only the private key
 * opens (X25519 with an ephemeral key, HKDF-SHA-256, AES-256-GCM). Used for failed logins while
 * the vault is locked: the attempted username is sealed to a key whose private half lives in
 * the encrypted database, so the unlock-state file names nobody, yet the audit trail can say
 * whose account was tried once the vault is open.
 */

const INFO = Buffer.from('dong-hanh/sealed-box/v1');

export function newSealingKeyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

/** The public half of a private key (both as the app stores them, base64 DER). */
export function publicKeyOf(privateKey: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

function boxKey(shared: Buffer, ephemeral: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, ephemeral, INFO, 32));
}

export function seal(publicKey: string, text: string): string {
  const recipient = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = ephemeral.publicKey.export({ type: 'spki', format: 'der' });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  const key = boxKey(shared, ephemeralPublic);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(ephemeralPublic);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const parts = [ephemeralPublic, iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64'));
  shared.fill(0);
  key.fill(0);
  return parts.join('.');
}

/** The sealed text, or null if the box is malformed or was not sealed to this key. */
export function open(privateKey: string, box: string): string | null {
  try {
    const [ephemeralPublic, iv, tag, sealed] = box.split('.').map((part) => Buffer.from(part, 'base64'));
    if (!ephemeralPublic || !iv || !tag || !sealed) return null;
    const own = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    const sender = createPublicKey({ key: ephemeralPublic, format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey: own, publicKey: sender });
    const key = boxKey(shared, ephemeralPublic);
    shared.fill(0);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(ephemeralPublic);
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    key.fill(0);
    return text;
  } catch {
    return null;
  }
}
