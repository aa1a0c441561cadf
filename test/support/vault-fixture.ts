import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createCore, type AppOptions, type CoreApp } from '../../electron/core/index.ts';
import { SCRYPT_FLOOR, type ScryptParams } from '../../electron/core/vault/kdf.ts';
import { SharedClock } from '../../electron/core/thread/shared-clock.ts';
import { migrations } from '../../migrations/index.ts';
import type { Result } from '../../electron/contract/errors.ts';
import type { ChannelInput, ChannelName, ChannelOutput, ConsentInput, RegisterClientInput, SettingsGroup } from '../../electron/contract/index.ts';
import { currentConsentText, type ConsentPurpose } from '../../electron/contract/index.ts';
import { connectToNewServer, copyServerDatabase, isUnused, ON_SERVER } from './store-under-test.ts';

/*
 * Real parts only: a real encrypted vault in a temp folder, the real migrations, the real gate.
 * Names are obviously synthetic. KDF parameters are the OWASP floor itself (no calibration run),
 * and vaults are built once per file and copied, because each derivation costs about half a second.
 */

export const FLOOR_KDF = async (): Promise<ScryptParams> => ({ alg: 'scrypt', ...SCRYPT_FLOOR });

export const START_TIME = Date.parse('2026-11-28T03:00:00.000Z');

/** A clock the test moves; its time lives in shared memory, so a core in a worker thread sees it too. */
export class TestClock extends SharedClock {
  constructor() {
    super(new SharedArrayBuffer(8), START_TIME);
  }
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

export function tempDir(prefix = 'dh-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

export interface TestApp extends CoreApp {
  dir: string;
  clock: TestClock;
  logged: string[];
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Call and insist on success: returns the value or fails the test with the error code. */
  ok<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
}

export function openApp(dir: string, clock = new TestClock(), options: Partial<AppOptions> = {}): TestApp {
  const logged: string[] = [];
  const fresh = ON_SERVER && isUnused(dir);
  const app = createCore({ dataDir: dir, clock, calibrateKdf: FLOOR_KDF, log: (line) => logged.push(line), ...options });
  // On the server store, a fresh app is connected to a new database before its first call.
  const ready = fresh ? connectToNewServer(app.core) : null;
  ready?.catch(() => {});
  const call = async (channel: ChannelName, input: unknown) => {
    if (ready) await ready;
    return app.gate.invoke(channel, input);
  };
  return {
    ...app,
    dir,
    clock,
    logged,
    call: call as TestApp['call'],
    ok: insisting(call) as TestApp['ok'],
  };
}

/** A call that insists on success: the value, or the test fails with the error code. */
export function insisting(call: (channel: ChannelName, input: unknown) => Promise<Result<unknown>>) {
  return async (channel: ChannelName, input: unknown): Promise<unknown> => {
    const result = await call(channel, input);
    if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
    return result.value;
  };
}

export const ADMIN = { username: 'admin.thu', displayName: 'Quản Trị Thử', password: 'mat-khau-admin-thu-01' };
export const MANAGER = { username: 'quanly.thu', displayName: 'Quản Lý Thử', password: 'mat-khau-quanly-thu-02' };
export const WORKER = { username: 'canbo.thu', displayName: 'Cán Bộ Thử', password: 'mat-khau-canbo-thu-03' };
/** A colleague of WORKER's, to offer cases to; holds no case in the template. */
export const WORKER2 = { username: 'canbo.hai', displayName: 'Cán Bộ Hai Thử', password: 'mat-khau-canbo-hai-04' };
export const CENTRE = { centreName: 'Trung tâm Thử nghiệm', centreCode: 'TT-THU' };

/** First run through the gate, as the wizard does it. Returns the recovery code. */
export async function runSetup(app: TestApp): Promise<string> {
  const begun = await app.ok('setup.begin', {
    ...CENTRE,
    adminUsername: ADMIN.username,
    adminDisplayName: ADMIN.displayName,
    adminPassword: ADMIN.password,
    language: 'vi',
  });
  const group = begun.recoveryCode.split('-')[begun.confirmGroup - 1] ?? '';
  await app.ok('setup.complete', { confirmation: group });
  return begun.recoveryCode;
}

/**
 * A vault as a release whose last migration was `last` left it: set up (the admin, logged in),
 * its schema stopping at `last`. Write rows as that release did through `sqliteOf(app.core)`,
 * shut it down, then `openApp(dir)` runs the later migrations over them.
 */
export async function migrateTo(last: string): Promise<{ dir: string; app: TestApp }> {
  const names = Object.keys(migrations).sort();
  if (!names.some((name) => name.startsWith(last))) throw new Error(`no migration ${last}`);
  const upTo = Object.fromEntries(Object.entries(migrations).filter(([name]) => name.slice(0, last.length) <= last));
  const dir = tempDir();
  const app = openApp(dir, new TestClock(), { migrations: upTo });
  await runSetup(app);
  return { dir, app };
}

/**
 * A vault with an admin, a manager and a worker who have all changed their temporary
 * passwords, locked. Built once per test file; each test gets its own copy.
 */
export interface Template {
  dir: string;
  recoveryCode: string;
  ids: {
    admin: number;
    manager: number;
    worker: number;
    worker2: number;
    /** A client registered by the worker, with a visit, a referral and contact consent. */
    client: number;
    /** Her visit: centre, HIV testing, a note. */
    visit: number;
    partner: number;
    referral: number;
    caseConsent: number;
    contactConsent: number;
  };
}

/** "Today" of the test clock, as the app's local calendar date. */
export const TODAY = '2026-11-28';

/** Consent as the worker records it: the current text for the purpose, given today. */
export function consentNow(purpose: ConsentPurpose, audience: 'adult' | 'child' = 'adult', extra: Partial<ConsentInput> = {}): ConsentInput {
  return {
    method: 'written',
    givenBy: audience === 'child' ? 'guardian' : 'client',
    textVersion: currentConsentText(purpose, audience),
    language: 'vi',
    givenOn: TODAY,
    ...extra,
  };
}

/** An obviously synthetic adult client. */
export function syntheticClient(overrides: Partial<RegisterClientInput> = {}): RegisterClientInput {
  return {
    motherName: 'Thử',
    fatherName: 'Mẫu',
    birthYear: 1995,
    sex: 'female',
    alias: 'Chị Thử Nghiệm',
    wardCode: 26740,
    provinceCode: 79,
    workSetting: 'service_venue',
    consent: consentNow('case_record'),
    ...overrides,
  };
}

let template: Promise<Template> | null = null;

export function standardTemplate(): Promise<Template> {
  template ??= (async () => {
    const dir = tempDir('dh-template-');
    const app = openApp(dir);
    const recoveryCode = await runSetup(app);
    const ids: Template['ids'] = {
      admin: (await app.ok('session.get', {})).user?.id ?? 0,
      manager: 0,
      worker: 0,
      worker2: 0,
      client: 0,
      visit: 0,
      partner: 0,
      referral: 0,
      caseConsent: 0,
      contactConsent: 0,
    };
    for (const [key, person, roles] of [
      ['manager', MANAGER, ['manager']],
      ['worker', WORKER, ['worker']],
      ['worker2', WORKER2, ['worker']],
    ] as const) {
      const created = await app.ok('users.create', {
        username: person.username,
        displayName: person.displayName,
        roles: [...roles],
        temporaryPassword: `tam-thoi-${person.password}`,
      });
      ids[key] = created.id;
    }
    await app.ok('auth.logout', {});
    for (const person of [MANAGER, WORKER, WORKER2]) {
      await app.ok('auth.login', { username: person.username, password: `tam-thoi-${person.password}` });
      await app.ok('auth.changePassword', { currentPassword: `tam-thoi-${person.password}`, newPassword: person.password });
      await app.ok('auth.logout', {});
    }
    await app.ok('auth.login', { username: MANAGER.username, password: MANAGER.password });
    ids.partner = (await app.ok('partners.save', { id: null, name: 'Phòng khám Thử nghiệm', kind: 'hiv_sti_clinic', wardCode: 26740, contact: '028 0000 0000', version: null })).id;
    await app.ok('auth.logout', {});
    await app.ok('auth.login', { username: WORKER.username, password: WORKER.password });
    const registered = await app.ok(
      'clients.register',
      syntheticClient({
        identity: { legalName: 'Nguyễn Thị Mẫu Thử', phone: '0900 000 000', idNumber: null, address: null },
        contactConsent: consentNow('contact'),
      }),
    );
    ids.client = registered.clientId;
    const hivTesting = (await app.ok('catalogue.list', {})).find((type) => type.code === 'hiv_testing')?.id ?? 0;
    ids.visit = (await app.ok('visits.record', { clientId: ids.client, visitOn: TODAY, place: 'centre', serviceTypeIds: [hivTesting], note: 'Ghi chú thử nghiệm' })).visitId;
    ids.referral = (
      await app.ok('referrals.create', { clientId: ids.client, partnerId: ids.partner, serviceTypeId: hivTesting, proposedOn: TODAY, shareConsent: consentNow('share_partner') })
    ).id;
    const page = await app.ok('clients.get', { clientId: ids.client });
    ids.caseConsent = page.consents.find((consent) => consent.purpose === 'case_record')?.id ?? 0;
    ids.contactConsent = page.consents.find((consent) => consent.purpose === 'contact')?.id ?? 0;
    await app.ok('auth.logout', {});
    await app.core.shutdown();
    return { dir, recoveryCode, ids };
  })();
  return template;
}

/** A copy of a shut-down app's folder (and, on the server store, of its database), opened by a new core (locked). */
export async function copyOfApp(dir: string, clock = new TestClock()): Promise<TestApp> {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  await copyServerDatabase(copy);
  return openApp(copy, clock);
}

/** A fresh copy of the standard vault, opened by a new core (locked). */
export async function copyOfTemplate(clock = new TestClock()): Promise<TestApp & { template: Template }> {
  const source = await standardTemplate();
  return Object.assign(await copyOfApp(source.dir, clock), { template: source });
}

/** A version no record has: for calls whose refusal under test comes before the record's version is compared. */
export const ANY_VERSION = 'AAAAAAAAAAAAAAAAAAAAAA';

/** What the screens are given with what they edit, and send back with the change (records/versions.ts). */
export async function detailsVersion(app: TestApp, clientId: number): Promise<string> {
  return (await app.ok('clients.get', { clientId })).detailsVersion;
}

export async function identityVersion(app: TestApp, clientId: number, reason?: string): Promise<string> {
  return (await app.ok('clients.identity', reason ? { clientId, reason } : { clientId })).version;
}

/** An account's version as the users' screen has it (the caller manages accounts). */
/** The version of a group of the centre's settings as they are now (what its form would send back). */
export async function settingsVersion(app: TestApp, group: SettingsGroup): Promise<string> {
  return (await app.ok('settings.get', {})).versions[group];
}

export async function userVersion(app: TestApp, userId: number): Promise<string> {
  const user = (await app.ok('users.list', {})).find((row) => row.id === userId);
  if (!user) throw new Error(`no user ${userId}`);
  return user.version;
}

export async function visitVersion(app: TestApp, clientId: number, visitId: number): Promise<string> {
  const visit = (await app.ok('clients.get', { clientId })).visits.find((row) => row.id === visitId);
  if (!visit) throw new Error(`visit ${visitId} is not on the page of client ${clientId}`);
  return visit.version;
}

export async function loginAs(app: TestApp, person: { username: string; password: string }) {
  return app.ok('auth.login', { username: person.username, password: person.password });
}
