import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createCore, type CoreApp } from '../../electron/core/index.ts';
import { SCRYPT_FLOOR, type ScryptParams } from '../../electron/core/vault/kdf.ts';
import type { Result } from '../../electron/contract/errors.ts';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../electron/contract/index.ts';

/*
 * Real parts only: a real encrypted vault in a temp folder, the real migrations, the real gate.
 * Names are obviously synthetic. KDF parameters are the OWASP floor itself (no calibration run),
 * and vaults are built once per file and copied, because each derivation costs about half a second.
 */

export const FLOOR_KDF = async (): Promise<ScryptParams> => ({ alg: 'scrypt', ...SCRYPT_FLOOR });

export const START_TIME = Date.parse('2026-11-28T03:00:00.000Z');

export class TestClock {
  #now = START_TIME;
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
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

export function openApp(dir: string, clock = new TestClock()): TestApp {
  const logged: string[] = [];
  const app = createCore({ dataDir: dir, clock, calibrateKdf: FLOOR_KDF, log: (line) => logged.push(line) });
  const call = (channel: ChannelName, input: unknown) => app.gate.invoke(channel, input);
  return {
    ...app,
    dir,
    clock,
    logged,
    call: call as TestApp['call'],
    ok: (async (channel: ChannelName, input: unknown) => {
      const result = await call(channel, input);
      if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
      return result.value;
    }) as TestApp['ok'],
  };
}

export const ADMIN = { username: 'admin.thu', displayName: 'Quản Trị Thử', password: 'mat-khau-admin-thu-01' };
export const MANAGER = { username: 'quanly.thu', displayName: 'Quản Lý Thử', password: 'mat-khau-quanly-thu-02' };
export const WORKER = { username: 'canbo.thu', displayName: 'Cán Bộ Thử', password: 'mat-khau-canbo-thu-03' };
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
 * A vault with an admin, a manager and a worker who have all changed their temporary
 * passwords, locked. Built once per test file; each test gets its own copy.
 */
export interface Template {
  dir: string;
  recoveryCode: string;
  ids: { admin: number; manager: number; worker: number };
}

let template: Promise<Template> | null = null;

export function standardTemplate(): Promise<Template> {
  template ??= (async () => {
    const dir = tempDir('dh-template-');
    const app = openApp(dir);
    const recoveryCode = await runSetup(app);
    const ids = { admin: (await app.ok('session.get', {})).user?.id ?? 0, manager: 0, worker: 0 };
    for (const [key, person, roles] of [
      ['manager', MANAGER, ['manager']],
      ['worker', WORKER, ['worker']],
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
    for (const person of [MANAGER, WORKER]) {
      await app.ok('auth.login', { username: person.username, password: `tam-thoi-${person.password}` });
      await app.ok('auth.changePassword', { currentPassword: `tam-thoi-${person.password}`, newPassword: person.password });
      await app.ok('auth.logout', {});
    }
    await app.core.shutdown();
    return { dir, recoveryCode, ids };
  })();
  return template;
}

/** A fresh copy of the standard vault, opened by a new core (locked). */
export async function copyOfTemplate(clock = new TestClock()): Promise<TestApp & { template: Template }> {
  const source = await standardTemplate();
  const dir = tempDir();
  cpSync(source.dir, dir, { recursive: true });
  return Object.assign(openApp(dir, clock), { template: source });
}

export async function loginAs(app: TestApp, person: { username: string; password: string }) {
  return app.ok('auth.login', { username: person.username, password: person.password });
}
