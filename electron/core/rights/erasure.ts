import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { appendAudit } from '../audit/trail.ts';
import type { Core } from '../core.ts';
import { deidentifyClient } from '../clients/deidentify.ts';
import { writeFileAtomic } from '../files.ts';
import type { HandlerContext } from '../gate/types.ts';
import type { Db } from '../users/accounts.ts';

/*
 * Erasure that lasts. A record erased today is still in last month's backup; restoring that
 * backup must not bring her back. Each erasure leaves a fingerprint (a hash of the vault's id
 * and her number, code and registration date: nothing about her, and nothing without the
 * backup it would be checked against), kept in the database (so later backups carry it) and in
 * a ledger file beside it (so a restore of an earlier backup finds it). At each login the two
 * are merged, and any record in the database whose fingerprint is in the ledger is erased again.
 */

export const LEDGER_FILE = 'dong-hanh.erased';
const ledgerSchema = z.object({ format: z.literal('dong-hanh-erased'), fingerprints: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000_000) }).strict();

export type ErasureCause = 'client_request' | 'no_longer_needed' | 'recorded_in_error' | 'other' | 'consent_withdrawn' | 'retention' | 'erased_before_restore';

export function fingerprintOf(vaultId: string, client: { id: number; code: string; registered_on: string }): string {
  return createHash('sha256').update(`dong-hanh/erased|${vaultId}|${client.id}|${client.code}|${client.registered_on}`).digest('hex');
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
 * Erase a client within the request's transaction: de-identified (visits kept as anonymous
 * contacts, everything else deleted and overwritten), her fingerprint kept. After the commit
 * the log is checkpointed (no old page keeps her) and the ledger file updated.
 */
export async function eraseClient(ctx: HandlerContext, clientId: number, cause: ErasureCause): Promise<void> {
  const fingerprint = await eraseInDatabase(ctx.db, ctx.core.vault.vaultId, clientId, cause, ctx.core.nowIso());
  ctx.onCommitted(() => {
    ctx.core.purgeErasedPages();
    ctx.core.revealedClients.delete(clientId);
    addToLedger(ctx.core, [fingerprint]);
  });
}

async function eraseInDatabase(db: Db, vaultId: string, clientId: number, cause: ErasureCause, at: string): Promise<string> {
  const client = await db.selectFrom('client').select(['id', 'code', 'registered_on']).where('id', '=', clientId).executeTakeFirstOrThrow();
  const fingerprint = fingerprintOf(vaultId, client);
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
    const vaultId = core.vault.vaultId;
    const clients = await db.selectFrom('client').select(['id', 'code', 'registered_on']).execute();
    const again = clients.filter((client) => wanted.has(fingerprintOf(vaultId, client)));
    const at = core.nowIso();
    await db.transaction().execute(async (trx) => {
      for (const client of again) await eraseInDatabase(trx, vaultId, client.id, 'erased_before_restore', at);
      // Fingerprints of records not in this database are kept too, for the next restore.
      for (const fingerprint of missing) {
        await trx.insertInto('erasure').values({ fingerprint, erased_at: at, reason: 'erased_before_restore' }).onConflict((oc) => oc.column('fingerprint').doNothing()).execute();
      }
      if (again.length) {
        await appendAudit(trx, { at, actorId, action: 'clients.erase', outcome: 'ok', errorCode: null, targetType: null, detail: { reason: 'erased_before_restore', count: again.length } });
      }
    });
    if (again.length) core.purgeErasedPages();
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
