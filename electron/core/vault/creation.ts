import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Kysely, Migration } from 'kysely';
import { storageFailure } from '../app-error.ts';
import { isoNow, type Clock } from '../clock.ts';
import type { Database, Db } from '../db/schema.ts';
import { putSetting } from '../db/setting-store.ts';
import { configure, kyselyFor, migrate, openEncrypted, type SqliteHandle } from './database.ts';
import { calibrate, type ScryptParams } from './kdf.ts';
import { newKeyring, sealPasswordSlot, withSlot, writeKeyring, type Keyring } from './key-slots.ts';
import { SEALING_KEY_SETTING } from './key-file.ts';
import { newSealingKeyPair } from './sealed-box.ts';
import { recoverySlotFor } from './staging.ts';
import { KEYRING_PROOF_SETTING } from './vault-files.ts';

/* A new vault: its keys made in memory first (the slow part), then written in one go. */

export interface PreparedVault {
  keyring: Keyring;
  dataKey: Buffer;
  adminSlotId: string;
  sealingPrivateKey: string;
}

/** Generate keys and slots in memory; nothing touches the disk. */
export async function prepareVault(
  options: { calibrateKdf?: () => Promise<ScryptParams>; training?: boolean },
  admin: { username: string; password: string },
  recoveryCode: string,
): Promise<PreparedVault> {
  const kdf = await (options.calibrateKdf ?? (async () => (await calibrate()).params))();
  const dataKey = randomBytes(32);
  const sealing = newSealingKeyPair();
  let keyring = newKeyring(kdf, sealing.publicKey, options.training ?? false);
  const adminSlot = await sealPasswordSlot(keyring, admin.username, admin.password, dataKey);
  keyring = withSlot(keyring, adminSlot);
  keyring = withSlot(keyring, await recoverySlotFor(keyring, recoveryCode, dataKey));
  return { keyring, dataKey, adminSlotId: adminSlot.id, sealingPrivateKey: sealing.privateKey };
}

/**
 * Write the prepared vault: the database with its first content (`seed`), then the keyring
 * last, so a failure at any step leaves no keyring pointing at an unusable database. On
 * failure, remove what this call created and nothing else.
 */
export async function writeNewVault(
  paths: { database: string; keyring: string },
  options: { migrations: Readonly<Record<string, Migration>>; clock: Clock },
  prepared: PreparedVault,
  seed: (trx: Db) => Promise<void>,
): Promise<{ sqlite: SqliteHandle; db: Kysely<Database> }> {
  let sqlite: SqliteHandle | null = null;
  let db: Kysely<Database> | null = null;
  try {
    sqlite = openEncrypted(paths.database, prepared.dataKey, { create: true });
    configure(sqlite);
    await migrate(sqlite, options.migrations);
    db = kyselyFor(sqlite);
    const at = isoNow(options.clock);
    await putSetting(db, SEALING_KEY_SETTING, prepared.sealingPrivateKey, { userId: null, at });
    await putSetting(db, KEYRING_PROOF_SETTING, 'required', { userId: null, at });
    await db.transaction().execute((trx) => seed(trx));
    writeKeyring(paths.keyring, prepared.keyring, prepared.dataKey);
    return { sqlite, db };
  } catch (error) {
    if (db) await db.destroy();
    else sqlite?.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${paths.database}${suffix}`, { force: true });
    throw storageFailure(error);
  }
}
