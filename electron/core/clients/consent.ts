import { CONSENT_TEXTS, currentConsentText, type ConsentTextVersion } from '../../contract/consent-texts.ts';
import type { ConsentInput } from '../../contract/clients.ts';
import { DEFAULT_CONSENT_MONTHS, MAX_CONSENT_MONTHS, type ConsentPurpose } from '../../contract/vocabulary.ts';
import { AppError } from '../app-error.ts';
import { addToDate } from '../clock.ts';
import type { Db } from '../db/schema.ts';
import { givenId, type ColumnSealer } from '../vault/column-sealers.ts';
import { assertNotFuture } from '../records/access.ts';

/**
 * Record one consent in the ledger. Core chooses the text (the current version for the purpose
 * and for an adult or a child) and stores exactly what was shown; the screen must have shown
 * that same version. A child's consent is given by a guardian or the child-protection officer.
 */
/** Whose consent, for what, and who records it: what every entry of the ledger names. */
interface LedgerEntry {
  clientId: number;
  purpose: ConsentPurpose;
  partnerId: number | null;
  scope: string[];
  recordedBy: number;
  at: string;
  replacesId?: number | null;
}

export async function recordConsent(
  db: Db,
  columns: ColumnSealer,
  args: LedgerEntry & {
    input: ConsentInput;
    childPath: boolean;
    today: string;
    /** Where the consent sits in the request, for the field a validation message points at. */
    field?: string;
    /** The client's registration date: no consent of hers is given before it. */
    registeredOn: string;
  },
): Promise<number> {
  const { input } = args;
  const version: ConsentTextVersion = currentConsentText(args.purpose, args.childPath ? 'child' : 'adult');
  if (input.textVersion !== version) throw new AppError('CONSENT_TEXT_OUTDATED');
  const giverAllowed = args.childPath ? input.givenBy !== 'client' : input.givenBy === 'client';
  if (!giverAllowed) throw new AppError('CONSENT_GIVER_INVALID');
  assertNotFuture(input.givenOn, args.today);
  const expiresOn = input.expiresOn ?? addToDate(input.givenOn, { months: DEFAULT_CONSENT_MONTHS });
  // A consent already over when it is recorded would leave a record nobody can write to.
  const field = args.field ?? 'consent';
  if (expiresOn <= input.givenOn || expiresOn < args.today) {
    throw new AppError('VALIDATION', { issues: [{ path: `${field}.expiresOn`, message: 'consentExpired' }] });
  }
  if (expiresOn > addToDate(input.givenOn, { months: MAX_CONSENT_MONTHS })) {
    throw new AppError('VALIDATION', { issues: [{ path: `${field}.expiresOn`, message: 'consentTooLong' }] });
  }
  if (args.registeredOn && input.givenOn < args.registeredOn) {
    throw new AppError('VALIDATION', { issues: [{ path: `${field}.givenOn`, message: 'consentBeforeRegistration' }] });
  }
  return writeConsent(db, columns, { ...args, version, expiresOn });
}

/** One row of the ledger, as checked (recordConsent) or as brought in from a paper register (import). */
export async function writeConsent(
  db: Db,
  columns: ColumnSealer,
  args: LedgerEntry & {
    input: Pick<ConsentInput, 'method' | 'givenBy' | 'witness' | 'paperKeptAt' | 'language' | 'givenOn'>;
    version: ConsentTextVersion;
    expiresOn: string;
  },
): Promise<number> {
  const { input, version } = args;
  const id = await columns.newId(db, 'consent');
  const inserted = await db
    .insertInto('consent')
    .values({
      ...givenId(id),
      client_id: args.clientId,
      purpose: args.purpose,
      partner_id: args.partnerId,
      method: input.method,
      given_by: input.givenBy,
      witness: columns.seal('consent', 'witness', id, input.method === 'verbal_witnessed' ? (input.witness ?? null) : null),
      paper_kept_at: columns.seal('consent', 'paper_kept_at', id, input.method === 'written' ? (input.paperKeptAt ?? null) : null),
      scope: args.scope.length ? JSON.stringify(args.scope) : null,
      text_version: version,
      text_language: input.language,
      text_shown: CONSENT_TEXTS[version][input.language],
      given_on: input.givenOn,
      expires_on: args.expiresOn,
      recorded_by: args.recordedBy,
      recorded_at: args.at,
      replaces_id: args.replacesId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}
