import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { appendAudit } from '../audit/trail.ts';
import { AppError, storageFailure } from '../app-error.ts';
import { SEALING_KEY_SETTING } from '../vault/vault.ts';
import type { Core } from '../core.ts';
import { deidentifyClient } from '../clients/deidentify.ts';
import { writeFileAtomic } from '../files.ts';
import type { HandlerContext } from '../gate/types.ts';
import type { Db } from '../users/accounts.ts';

/*
 * Erasure that lasts. A record erased today is still in last month's backup; restoring that
 * backup must not bring her back. Each erasure leaves a fingerprint (an HMAC of her number, code
 * and registration date under a key derived from the vault's sealing key, a secret kept in the
 * encrypted database since the vault was made, in every backup, unchanged by a key rotation:
 * nothing about her, and not testable by guessing without that secret), kept in the database
 * (so later backups carry it) and in a ledger file beside it (so a restore of an earlier backup
 * finds it). At each login the two are merged, and any record in the database whose
 * fingerprint is in the ledger is erased again.
 */

export const LEDGER_FILE = 'dong-hanh.erased';
const ledgerSchema = z.object({ format: z.literal('dong-hanh-erased'), fingerprints: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000_000) }).strict();

export type ErasureCause = 'client_request' | 'no_longer_needed' | 'recorded_in_error' | 'other' | 'consent_withdrawn' | 'retention' | 'erased_before_restore';

/** The fingerprints' key: derived from the vault's sealing key (and its id). */
async function fingerprintKey(db: Db, vaultId: string): Promise<Buffer> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', SEALING_KEY_SETTING).executeTakeFirst();
  if (!row) throw new AppError('INTERNAL');
  return createHash('sha256').update(`dong-hanh/erasure-key|${vaultId}|${JSON.parse(row.value) as string}`).digest();
}

function fingerprintOf(key: Buffer, client: { id: number; code: string; registered_on: string }): string {
  return createHmac('sha256', key).update(`dong-hanh/erased|${client.id}|${client.code}|${client.registered_on}`).digest('hex');
}

function ledgerPath(core: Core): string {
  return join(core.dataDir, LEDGER_FILE);
}

/** The ledger's fingerprints; a missing or unreadable ledger counts as empty (the database holds its own). */
function readLedger(core: Core): Set<string> {
  const path = ledgerPath(core);
  if (!existsSync(path)) return new Set();
  try {
    return new Set(ledgerSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).fingerprints);
  } catch {
    core.log('[erasure] the ledger file could not be read; the database copy is used');
    return new Set();
  }
}

function writeLedger(core: Core, fingerprints: Set<string>): void {
  writeFileAtomic(ledgerPath(core), `${JSON.stringify({ format: 'dong-hanh-erased', fingerprints: [...fingerprints].sort() })}\n`);
}

/** Add fingerprints to the ledger file; a failure is logged (the database copy is whole, and the next login writes the file again). */
function addToLedger(core: Core, fingerprints: string[]): void {
  try {
    const ledger = readLedger(core);
    for (const fingerprint of fingerprints) ledger.add(fingerprint);
    writeLedger(core, ledger);
  } catch {
    core.log('[erasure] the ledger file could not be written');
  }
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
  const key = await fingerprintKey(ctx.db, ctx.core.vault.vaultId);
  const fingerprint = await eraseInDatabase(ctx.db, key, clientId, cause, ctx.core.nowIso());
  key.fill(0);
  // Committed: the ledger first (what makes it last), then the log's old pages. A failure of
  // either is logged; it does not undo or misreport an erasure that is done.
  ctx.onCommitted(() => {
    ctx.core.revealedClients.delete(clientId);
    addToLedger(ctx.core, [fingerprint]);
    try {
      ctx.core.purgeErasedPages();
    } catch {
      ctx.core.log('[erasure] the log could not be checkpointed after an erasure; it is at the next one');
    }
  });
}

async function eraseInDatabase(db: Db, key: Buffer, clientId: number, cause: ErasureCause, at: string): Promise<string> {
  const client = await db.selectFrom('client').select(['id', 'code', 'registered_on']).where('id', '=', clientId).executeTakeFirstOrThrow();
  const fingerprint = fingerprintOf(key, client);
  await deidentifyClient(db, clientId);
  await db.insertInto('erasure').values({ fingerprint, erased_at: at, reason: cause }).onConflict((oc) => oc.column('fingerprint').doNothing()).execute();
  return fingerprint;
}

/**
 * At login: merge the ledger file and the database's fingerprints, and erase again any record
 * the database still holds whose fingerprint the ledger has (a backup from before her erasure
 * was restored). Recorded in the trail with the count only.
 */
export async function reconcileErasures(core: Core, actorId: number): Promise<number> {
  const db = core.vault.db;
  // A database from before the ledger existed (only in tests that stop at older migrations).
  if (!core.vault.sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = 'erasure'`).get()) return 0;
  const ledger = readLedger(core);
  const known = new Set((await db.selectFrom('erasure').select('fingerprint').execute()).map((row) => row.fingerprint));
  const missing = [...ledger].filter((fingerprint) => !known.has(fingerprint));
  let erased = 0;
  if (missing.length) {
    const wanted = new Set(missing);
    const key = await fingerprintKey(db, core.vault.vaultId);
    const clients = await db.selectFrom('client').select(['id', 'code', 'registered_on']).execute();
    const again = clients.filter((client) => wanted.has(fingerprintOf(key, client)));
    const at = core.nowIso();
    await db.transaction().execute(async (trx) => {
      for (const client of again) await eraseInDatabase(trx, key, client.id, 'erased_before_restore', at);
      // Fingerprints of records not in this database are kept too, for the next restore.
      for (const fingerprint of missing) {
        await trx.insertInto('erasure').values({ fingerprint, erased_at: at, reason: 'erased_before_restore' }).onConflict((oc) => oc.column('fingerprint').doNothing()).execute();
      }
      if (again.length) {
        await appendAudit(trx, { at, actorId, action: 'clients.erase', outcome: 'ok', errorCode: null, targetType: null, detail: { reason: 'erased_before_restore', count: again.length } });
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
