import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { appendAudit } from '../audit/trail.ts';
import { AppError, storageFailure } from '../app-error.ts';
import { SEALING_KEY_SETTING } from '../vault/vault.ts';
import type { Core, FeatureHooks } from '../core.ts';
import { REVEALED_CLIENTS } from '../records/access.ts';
import { deidentifyClient } from '../records/deidentify.ts';
import { writeFileAtomic } from '../files.ts';
import type { HandlerContext } from '../gate/types.ts';
import type { Db } from '../db/schema.ts';
import { secretSettingValue, type ColumnSealer } from '../vault/column-sealers.ts';
import { putSetting, settingValue } from '../db/setting-store.ts';

/*
 * Erasure that lasts. A record erased today is still in last month's backup; restoring that
 * backup must not bring her back. Each erasure leaves a fingerprint (an HMAC of her number, code
 * and registration date under a key derived from the vault's sealing key, a secret kept in the
 * encrypted database since the vault was made, in every backup, unchanged by a key rotation:
 * nothing about her, and not testable by guessing without that secret), kept in the database
 * (so later backups carry it) and in a ledger file beside it (so a restore of an earlier backup
 * finds it). At each login the two are merged, and any record in the database whose
 * fingerprint is in the ledger is erased again.
 *
 * The ledger beside the database goes when the PC goes. So a copy is also kept beside the
 * backups: in the folder that holds the backup folders, written at every backup and updated
 * at every erasure (each folder backups went to is remembered in the encrypted database; one
 * not reachable then, a USB drive not plugged in, gets it at its next backup). A restore on a
 * new PC takes the ledger it finds beside the backup it restores.
 */

export const LEDGER_FILE = 'dong-hanh.erased';
const ledgerSchema = z.object({ format: z.literal('dong-hanh-erased'), fingerprints: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000_000) }).strict();

export type ErasureCause = 'client_request' | 'no_longer_needed' | 'recorded_in_error' | 'other' | 'consent_withdrawn' | 'retention' | 'erased_before_restore';

/** The fingerprints' key: derived from the vault's sealing key (and its id). */
export async function fingerprintKey(db: Db, core: Core): Promise<Buffer> {
  const vaultId = core.vault.vaultId;
  const sealingKey = await secretSettingValue(db, core.vault.columns, SEALING_KEY_SETTING);
  if (sealingKey === null) throw new AppError('INTERNAL');
  return createHash('sha256').update(`dong-hanh/erasure-key|${vaultId}|${sealingKey}`).digest();
}

export function fingerprintOf(key: Buffer, client: { id: number; code: string; registered_on: string }): string {
  return createHmac('sha256', key).update(`dong-hanh/erased|${client.id}|${client.code}|${client.registered_on}`).digest('hex');
}

/** The folders that hold backup folders, each with a copy of the ledger (paths, in the encrypted database only). */
const LEDGER_FOLDERS_SETTING = 'erasure.ledgerFolders';
/** The most folders remembered: the newest ones. */
const MAX_LEDGER_FOLDERS = 20;

function ledgerPath(core: Core): string {
  return join(core.dataDir, LEDGER_FILE);
}

/** The fingerprints of a ledger file; a missing or unreadable one counts as empty (the database holds its own). */
function readLedgerAt(core: Core, path: string, which: string): Set<string> {
  if (!existsSync(path)) return new Set();
  try {
    return new Set(ledgerSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).fingerprints);
  } catch {
    core.log(`[erasure] the ledger ${which} could not be read; the database copy is used`);
    return new Set();
  }
}

const readLedger = (core: Core) => readLedgerAt(core, ledgerPath(core), 'file');

function writeLedgerAt(path: string, fingerprints: Set<string>): void {
  writeFileAtomic(path, `${JSON.stringify({ format: 'dong-hanh-erased', fingerprints: [...fingerprints].sort() })}\n`);
}

const writeLedger = (core: Core, fingerprints: Set<string>) => writeLedgerAt(ledgerPath(core), fingerprints);

/**
 * Merge fingerprints into the ledger in a folder that holds backups. The file there may list
 * more (another vault's backups in the same folder, or erasures this PC never saw): nothing is
 * removed. A folder not reachable now is left for the next time.
 */
function mergeLedgerBeside(core: Core, folder: string, fingerprints: Iterable<string>): boolean {
  try {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) return false;
    const path = join(folder, LEDGER_FILE);
    const ledger = readLedgerAt(core, path, 'beside the backups');
    const size = ledger.size;
    for (const fingerprint of fingerprints) ledger.add(fingerprint);
    if (ledger.size !== size || !existsSync(path)) writeLedgerAt(path, ledger);
    return true;
  } catch {
    core.log('[erasure] the ledger beside the backups could not be written; it is written at the next backup there');
    return false;
  }
}

async function ledgerFolders(db: Db): Promise<string[]> {
  const parsed = z.array(z.string()).safeParse((await settingValue(db, LEDGER_FOLDERS_SETTING)) ?? []);
  return parsed.success ? parsed.data : [];
}

/** Add fingerprints to the ledger file and the copies beside the backups; a failure is logged (the database copy is whole, and the next login writes the file again). */
function addToLedger(core: Core, fingerprints: string[], besideBackups: readonly string[]): void {
  try {
    const ledger = readLedger(core);
    for (const fingerprint of fingerprints) ledger.add(fingerprint);
    writeLedger(core, ledger);
  } catch {
    core.log('[erasure] the ledger file could not be written');
  }
  for (const folder of besideBackups) mergeLedgerBeside(core, folder, fingerprints);
}

/**
 * After a backup into `folder` (the folder that holds backup folders): every erasure known here
 * (the database's and the file's) goes into the ledger there, and the folder is remembered so
 * later erasures reach it too.
 */
export async function keepLedgerBesideBackups(core: Core, db: Db, folder: string, at: string): Promise<void> {
  const known = new Set([...readLedger(core), ...(await db.selectFrom('erasure').select('fingerprint').execute()).map((row) => row.fingerprint)]);
  mergeLedgerBeside(core, folder, known);
  const folders = [folder, ...(await ledgerFolders(db)).filter((each) => each !== folder)].slice(0, MAX_LEDGER_FOLDERS);
  await putSetting(db, LEDGER_FOLDERS_SETTING, folders, { userId: null, at });
}

/**
 * Before a restore takes its place: the ledger found beside the backup (in the folder that
 * holds it) is merged into the one beside the database, so the first login after the restore
 * erases again whoever was erased after that backup was made, on this PC or the one before it.
 * A ledger that cannot be read there is logged and left: the restore goes on with what the
 * database and this PC know.
 */
export function adoptLedgerBesideBackup(core: Core, backupFolder: string): number {
  const beside = readLedgerAt(core, join(dirname(backupFolder), LEDGER_FILE), 'beside the backup');
  if (beside.size === 0) return 0;
  const ledger = readLedger(core);
  const size = ledger.size;
  for (const fingerprint of beside) ledger.add(fingerprint);
  try {
    if (ledger.size !== size) {
      mkdirSync(core.dataDir, { recursive: true }); // a new PC's data folder may not exist yet
      writeLedger(core, ledger);
    }
  } catch (error) {
    throw storageFailure(error);
  }
  return ledger.size - size;
}

/**
 * Before a restore: every erasure this database knows written to the ledger file, which is
 * what carries them over the swap. Unlike after an erasure, a failure here is thrown (the
 * restore must not go ahead without it).
 */
export async function saveErasureLedger(core: Core): Promise<void> {
  const known = (await core.vault.db.selectFrom('erasure').select('fingerprint').execute()).map((row) => row.fingerprint);
  const ledger = readLedger(core);
  if (known.every((fingerprint) => ledger.has(fingerprint))) return;
  for (const fingerprint of known) ledger.add(fingerprint);
  try {
    writeLedger(core, ledger);
  } catch (error) {
    throw storageFailure(error);
  }
}

/**
 * Erase a client within the request's transaction: de-identified (visits kept as anonymous
 * contacts, everything else deleted and overwritten), her fingerprint kept. After the commit
 * the log is checkpointed (no old page keeps her) and the ledger file updated.
 */
export async function eraseClient(ctx: HandlerContext, clientId: number, cause: ErasureCause): Promise<void> {
  const key = await fingerprintKey(ctx.db, ctx.core);
  const fingerprints = await eraseInDatabase(ctx.db, ctx.core.vault.columns, key, clientId, cause, ctx.core.nowIso());
  key.fill(0);
  const besideBackups = await ledgerFolders(ctx.db);
  // Committed: the ledger first (what makes it last), then the log's old pages. A failure of
  // either is logged; it does not undo or misreport an erasure that is done.
  ctx.onCommitted(() => {
    ctx.core.state.get(REVEALED_CLIENTS).delete(clientId);
    addToLedger(ctx.core, fingerprints, besideBackups);
    try {
      ctx.core.purgeErasedPages();
    } catch {
      ctx.core.log('[erasure] the log could not be checkpointed after an erasure; it is at the next one');
    }
  });
}

/** Her fingerprint, and those of the records merged into hers (a backup from before a merge holds them): all into the ledger. */
async function eraseInDatabase(db: Db, columns: ColumnSealer, key: Buffer, clientId: number, cause: ErasureCause, at: string): Promise<string[]> {
  const [client] = columns.openRows('client', [await db.selectFrom('client').select(['id', 'code', 'registered_on']).where('id', '=', clientId).executeTakeFirstOrThrow()]);
  const merged = await db.selectFrom('merged_client').select('fingerprint').where('into_id', '=', clientId).execute();
  const fingerprints = [fingerprintOf(key, client!), ...merged.map((row) => row.fingerprint)];
  await deidentifyClient(db, clientId);
  for (const fingerprint of fingerprints) {
    await db.insertInto('erasure').values({ fingerprint, erased_at: at, reason: cause }).onConflict((oc) => oc.column('fingerprint').doNothing()).execute();
  }
  return fingerprints;
}

/**
 * At login: merge the ledger file and the database's fingerprints, and erase again any record
 * the database still holds whose fingerprint the ledger has (a backup from before her erasure
 * was restored). Recorded in the trail with the count only.
 */
/** After a login: a restored backup may hold records erased since it was made; they go again. */
export const erasureHooks: FeatureHooks = { afterLogin: (core, userId) => reconcileErasures(core, userId) };

export async function reconcileErasures(core: Core, actorId: number): Promise<number> {
  const db = core.vault.db;
  // A database from before the ledger existed (only in tests that stop at older migrations).
  if (!(await core.vault.hasTable('erasure'))) return 0;
  const ledger = readLedger(core);
  const known = new Set((await db.selectFrom('erasure').select('fingerprint').execute()).map((row) => row.fingerprint));
  const missing = [...ledger].filter((fingerprint) => !known.has(fingerprint));
  let erased = 0;
  if (missing.length) {
    const wanted = new Set(missing);
    const key = await fingerprintKey(db, core);
    const clients = core.vault.columns.openRows('client', await db.selectFrom('client').select(['id', 'code', 'registered_on']).execute());
    const again = clients.filter((client) => wanted.has(fingerprintOf(key, client)));
    const at = core.nowIso();
    await db.transaction().execute(async (trx) => {
      for (const client of again) await eraseInDatabase(trx, core.vault.columns, key, client.id, 'erased_before_restore', at);
      // Fingerprints of records not in this database are kept too, for the next restore.
      for (const fingerprint of missing) {
        await trx.insertInto('erasure').values({ fingerprint, erased_at: at, reason: 'erased_before_restore' }).onConflict((oc) => oc.column('fingerprint').doNothing()).execute();
      }
      if (again.length) {
        await appendAudit(trx, core.vault.dialect, { at, actorId, action: 'clients.erase', outcome: 'ok', errorCode: null, targetType: null, detail: { reason: 'erased_before_restore', count: again.length } });
      }
    });
    key.fill(0);
    if (again.length) {
      try {
        core.purgeErasedPages();
      } catch {
        core.log('[erasure] the log could not be checkpointed after erasing again; it is at the next erasure');
      }
    }
    erased = again.length;
  }
  const merged = new Set([...ledger, ...known, ...missing]);
  if (merged.size !== ledger.size) {
    try {
      writeLedger(core, merged);
    } catch {
      core.log('[erasure] the ledger file could not be written');
    }
  }
  return erased;
}
