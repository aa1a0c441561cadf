import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isBackupFolderName } from '../../electron/core/backup/backup-files.ts';
import { sha256Of } from '../../electron/core/files.ts';
import { VAULT_FILES } from '../../electron/core/vault/vault.ts';
import { chooseDataFolder, moveDataFolderOnce, type MoveStep } from '../../electron/main/data-folder.ts';
import { bindSessionEnd, createRendererRecovery, createShutdown, onBeforeQuit, RENDERER_RESTARTS } from '../../electron/main/lifecycle.ts';
import { NoticeBox, noticeForSecondStart } from '../../electron/main/notices.ts';
import { ADMIN, copyOfTemplate, loginAs, openApp, tempDir, WORKER, type TestApp } from '../support/vault-fixture.ts';

/*
 * The parts of Electron main that decide something, run against a real core and real files:
 * where the vault lives and its one-time move, what happens when the system session ends or
 * the window's page dies, and what a second start of the app says.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the data folder', () => {
  const base = { env: {}, home: '/home/thu', userData: '/profile/Dong Hanh', productName: 'Dong Hanh' };

  it('is in the local, non-roaming profile on Windows, with the roaming one as where it was before', () => {
    expect(chooseDataFolder({ ...base, platform: 'win32', env: { LOCALAPPDATA: '/local' } })).toEqual({
      folder: join('/local', 'Dong Hanh', 'data'),
      earlier: join('/profile/Dong Hanh', 'data'),
    });
    expect(chooseDataFolder({ ...base, platform: 'win32' }).folder).toBe(join('/home/thu', 'AppData', 'Local', 'Dong Hanh', 'data'));
  });

  it('stays in userData elsewhere, where it is already local', () => {
    expect(chooseDataFolder({ ...base, platform: 'linux' })).toEqual({ folder: join('/profile/Dong Hanh', 'data'), earlier: null });
  });
});

/** A vault as an earlier version left it in the roaming folder: template files plus a write-ahead log. */
async function earlierVault(): Promise<{ root: string; earlier: string; folder: string; hashes: Map<string, string> }> {
  const template = await copyOfTemplate();
  const root = tempDir('dh-profile-');
  const earlier = join(root, 'Roaming', 'Dong Hanh', 'data');
  mkdirSync(earlier, { recursive: true });
  cpSync(template.dir, earlier, { recursive: true });
  // What an app stopped mid-session leaves: a log whose frames must travel with the database.
  const open = openApp(earlier);
  await loginAs(open, WORKER);
  await open.ok('visits.record', { clientId: template.template.ids.client, visitOn: '2026-11-28', place: 'centre', serviceTypeIds: [1], note: 'chuyen-thu-muc' });
  const copy = join(root, 'snapshot');
  cpSync(earlier, copy, { recursive: true });
  await open.core.shutdown();
  rmSync(earlier, { recursive: true });
  cpSync(copy, earlier, { recursive: true });
  rmSync(copy, { recursive: true });
  expect(existsSync(join(earlier, `${VAULT_FILES.database}-wal`))).toBe(true);
  const hashes = new Map(readdirSync(earlier).map((name) => [name, sha256Of(join(earlier, name))]));
  return { root, earlier, folder: join(root, 'Local', 'Dong Hanh', 'data'), hashes };
}

async function expectWholeVaultAt(folder: string, hashes: Map<string, string>): Promise<void> {
  expect(new Map(readdirSync(folder).map((name) => [name, sha256Of(join(folder, name))]))).toEqual(hashes);
  const app = openApp(folder);
  await loginAs(app, WORKER);
  const notes = (await app.ok('clients.get', { clientId: 1 })).visits.map((visit) => visit.note);
  expect(notes).toContain('chuyen-thu-muc');
  await app.core.shutdown();
}

describe('the one-time move of the data folder', () => {
  it('moves a vault, its write-ahead log included, and leaves no copy behind', async () => {
    const { root, earlier, folder, hashes } = await earlierVault();
    const logged: string[] = [];
    expect(moveDataFolderOnce(earlier, folder, (line) => logged.push(line))).toEqual({ folder, outcome: 'moved' });
    expect(existsSync(earlier)).toBe(false);
    expect(readdirSync(join(root, 'Roaming', 'Dong Hanh'))).toEqual([]);
    expect(readdirSync(join(root, 'Local', 'Dong Hanh'))).toEqual(['data']);
    await expectWholeVaultAt(folder, hashes);
    // Once: the next start finds nothing to move.
    expect(moveDataFolderOnce(earlier, folder, () => {})).toEqual({ folder, outcome: 'nothing-to-move' });
    // The log names no folder (a path can hold a person's name).
    expect(logged.join('\n')).not.toContain(root);
  });

  it('moves nothing when there is no earlier vault, and never touches an earlier one when the new place has its own', async () => {
    const root = tempDir();
    const folder = join(root, 'new');
    expect(moveDataFolderOnce(join(root, 'none'), folder, () => {})).toEqual({ folder, outcome: 'nothing-to-move' });
    const { earlier, hashes } = await earlierVault();
    mkdirSync(folder, { recursive: true });
    cpSync(earlier, folder, { recursive: true });
    expect(moveDataFolderOnce(earlier, folder, () => {}).outcome).toBe('both-present');
    expect(new Map(readdirSync(earlier).map((name) => [name, sha256Of(join(earlier, name))]))).toEqual(hashes);
  });

  it.each<[MoveStep, number]>([
    ['file-copied', 1],
    ['file-copied', 2],
    ['copied', 1],
    ['set-aside', 1],
    ['in-place', 1],
  ])('loses nothing when the process is killed at %s (%i), and finishes at the next start', async (step, nth) => {
    const { earlier, folder, hashes } = await earlierVault();
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/move-and-stop.ts'), earlier, folder, step, String(nth)], { cwd: ROOT, encoding: 'utf8' });
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).not.toContain('finished');
    // At the next start the move is finished (or made again) and the vault is whole.
    expect(moveDataFolderOnce(earlier, folder, () => {})).toEqual({ folder, outcome: step === 'in-place' ? 'nothing-to-move' : 'moved' });
    // Nothing left behind: no earlier copy, nothing set aside, no half copy, no mark.
    expect(readdirSync(join(earlier, '..'))).toEqual([]);
    expect(readdirSync(join(folder, '..'))).toEqual(['data']);
    await expectWholeVaultAt(folder, hashes);
  });

  it('puts everything back when a step after the copy fails, and moves at the next start', async () => {
    const { earlier, folder, hashes } = await earlierVault();
    const failAt = (step: MoveStep) => (reached: MoveStep) => {
      if (reached === step) throw Object.assign(new Error('injected'), { code: 'EBUSY' });
    };
    expect(moveDataFolderOnce(earlier, folder, () => {}, failAt('set-aside'))).toEqual({ folder: earlier, outcome: 'kept-in-place' });
    expect(readdirSync(join(folder, '..'))).toEqual([]);
    await expectWholeVaultAt(earlier, hashes);
    // Opened and closed there, its log was checkpointed: what moves now is that.
    const reopened = new Map(readdirSync(earlier).map((name) => [name, sha256Of(join(earlier, name))]));
    expect(moveDataFolderOnce(earlier, folder, () => {})).toEqual({ folder, outcome: 'moved' });
    await expectWholeVaultAt(folder, reopened);
  });

  it('never takes a copy that was not verified for whole, even with the earlier folder set aside', async () => {
    const { earlier, folder, hashes } = await earlierVault();
    // What a removal stopped half-way leaves: the earlier folder set aside, part of a copy, no mark.
    mkdirSync(`${folder}.moving`, { recursive: true });
    writeFileSync(join(`${folder}.moving`, VAULT_FILES.keyring), 'part of a copy');
    renameSync(earlier, `${earlier}.moved-out`);
    expect(moveDataFolderOnce(earlier, folder, () => {})).toEqual({ folder, outcome: 'moved' });
    expect(readdirSync(join(earlier, '..'))).toEqual([]);
    await expectWholeVaultAt(folder, hashes);
  });

  it('keeps the earlier folder, whole and in use, when the copy cannot be made', async () => {
    const { root, earlier, folder, hashes } = await earlierVault();
    // The new place's parent is a file: nothing can be made there.
    writeFileSync(join(root, 'Local'), 'not a folder');
    const logged: string[] = [];
    expect(moveDataFolderOnce(earlier, folder, (line) => logged.push(line))).toEqual({ folder: earlier, outcome: 'kept-in-place' });
    expect(logged.join('\n')).toMatch(/could not be moved \((ENOTDIR|EEXIST)\)/);
    await expectWholeVaultAt(earlier, hashes);
  });

  it('never starts afresh in the new place when the earlier folder cannot be read (a redirected profile offline)', async () => {
    const root = tempDir();
    const earlier = join(root, 'share', 'data');
    mkdirSync(join(root, 'share'), { recursive: true });
    // A folder that cannot be looked at (a link loop), as a share that does not answer.
    symlinkSync(earlier, earlier);
    expect(moveDataFolderOnce(earlier, join(root, 'local', 'data'), () => {})).toEqual({ folder: null, outcome: 'unreachable' });
    expect(existsSync(join(root, 'local'))).toBe(false);
  });
});

/** A logged-in administrator with automatic backups into a folder, due at exit. */
async function appWithExitBackup(): Promise<{ app: TestApp; backups: string }> {
  const app = await copyOfTemplate();
  await loginAs(app, ADMIN);
  const backups = tempDir('dh-usb-');
  await app.gate.invoke('backup.setFolder', {}, { path: backups });
  await app.ok('backup.updateSettings', { backupEveryHours: 24, backupKeep: 5, backupAtExit: true });
  return { app, backups };
}

/** What a held-back Electron event records. */
function heldEvent(): { preventDefault(): void; held: boolean } {
  return {
    held: false,
    preventDefault() {
      this.held = true;
    },
  };
}

async function lockEntries(dir: string): Promise<unknown[]> {
  const app = openApp(dir);
  await loginAs(app, ADMIN);
  const page = await app.ok('audit.list', { action: 'auth.lock' });
  await app.core.shutdown();
  return page.rows.map((row) => row.detail);
}

describe('the end of the system session', () => {
  it.each([
    ['Windows, query-session-end then session-end', 'win32', ['query-session-end', 'session-end']],
    ['Windows, session-end alone (critical)', 'win32', ['session-end']],
    ['Linux, powerMonitor shutdown', 'linux', ['shutdown']],
  ] as const)('%s: the exit backup is made once, the vault is locked and closed, then the app quits', async (_name, platform, events) => {
    const { app, backups } = await appWithExitBackup();
    const window = new EventEmitter();
    const powerMonitor = new EventEmitter();
    let quits = 0;
    const quit = new Promise<void>((resolve) => {
      const shutdown = createShutdown(app.core, () => (quits++, resolve()), () => {});
      bindSessionEnd({ platform, window, powerMonitor, shutdown });
    });
    const first = heldEvent();
    for (const [index, name] of events.entries()) (platform === 'win32' ? window : powerMonitor).emit(name, index === 0 ? first : heldEvent());
    // Held back while the vault was open (session-end cannot be).
    expect(first.held).toBe(events[0] !== 'session-end');
    await quit;
    expect(quits).toBe(1);
    expect(app.core.vault.isOpen).toBe(false);
    expect(readdirSync(backups).filter(isBackupFolderName)).toHaveLength(1);
    expect(await lockEntries(app.dir)).toContainEqual({ reason: 'shutdown' });
  });

  it('does not hold the system back when the vault is locked', async () => {
    const app = await copyOfTemplate();
    const powerMonitor = new EventEmitter();
    const quit = new Promise<void>((resolve) => {
      const shutdown = createShutdown(app.core, resolve, () => {});
      bindSessionEnd({ platform: 'linux', window: new EventEmitter(), powerMonitor, shutdown });
    });
    const event = heldEvent();
    powerMonitor.emit('shutdown', event);
    await quit;
    expect(event.held).toBe(false);
  });

  it('never holds the end of the system session past its limit: the process ends anyway', async () => {
    const hanging = { shutdown: () => new Promise<void>(() => {}), lock: async () => false, vault: { isOpen: true } };
    const logged: string[] = [];
    const ended = new Promise<void>((resolve) => createShutdown(hanging, () => {}, (line) => logged.push(line), resolve, 50).run('shutdown'));
    await ended;
    expect(logged).toEqual(['[shutdown] the system session ended before the shutdown finished']);
  });

  it('quitting waits for the same shutdown, and then lets the quit through', async () => {
    const { app, backups } = await appWithExitBackup();
    let quits = 0;
    const shutdown = createShutdown(app.core, () => quits++, () => {});
    const beforeQuit = onBeforeQuit(shutdown);
    const first = heldEvent();
    beforeQuit(first);
    expect(first.held).toBe(true);
    await shutdown.run('quit');
    const second = heldEvent();
    beforeQuit(second);
    expect([second.held, quits, app.core.vault.isOpen]).toEqual([false, 1, false]);
    expect(readdirSync(backups).filter(isBackupFolderName)).toHaveLength(1);
    expect(await lockEntries(app.dir)).toContainEqual({ reason: 'quit' });
  });

  it('still quits, with the vault closed, when the exit backup fails', async () => {
    const { app, backups } = await appWithExitBackup();
    rmSync(backups, { recursive: true });
    writeFileSync(backups, 'a file where the folder was');
    let quits = 0;
    const shutdown = createShutdown(app.core, () => quits++, () => {});
    await shutdown.run('shutdown');
    expect([quits, app.core.vault.isOpen]).toEqual([1, false]);
  });
});

describe('a window whose page died', () => {
  function recovery(app: TestApp, stopping = false) {
    const seen = { reloads: 0, notices: 0, gaveUp: 0 };
    let now = 0;
    const recover = createRendererRecovery({
      core: app.core,
      stopping: () => stopping,
      reload: () => seen.reloads++,
      notify: () => seen.notices++,
      giveUp: () => seen.gaveUp++,
      now: () => (now += 1_000),
      log: () => {},
    });
    return { recover, seen };
  }

  it('locks the session first (the lock reloads the page), and says why', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const { recover, seen } = recovery(app);
    await recover({ reason: 'crashed' });
    expect([app.core.vault.isOpen, app.core.session]).toEqual([false, null]);
    expect(seen).toEqual({ reloads: 0, notices: 1, gaveUp: 0 });
    expect(await lockEntries(app.dir)).toContainEqual({ reason: 'window' });
  });

  it('reloads the page itself when nobody was logged in, ignores a clean exit, and gives up on a page that keeps dying', async () => {
    const app = await copyOfTemplate();
    const { recover, seen } = recovery(app);
    await recover({ reason: 'clean-exit' });
    expect(seen).toEqual({ reloads: 0, notices: 0, gaveUp: 0 });
    for (let death = 1; death <= RENDERER_RESTARTS.max; death++) await recover({ reason: 'oom' });
    expect(seen).toEqual({ reloads: RENDERER_RESTARTS.max, notices: RENDERER_RESTARTS.max, gaveUp: 0 });
    await recover({ reason: 'crashed' });
    expect(seen.gaveUp).toBe(1);
    // Once: further deaths do not say it again.
    await recover({ reason: 'crashed' });
    expect(seen.gaveUp).toBe(1);
    await app.core.shutdown();
  });

  it('is no failure while the app shuts down', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, WORKER);
    const { recover, seen } = recovery(app, true);
    await recover({ reason: 'killed' });
    expect(seen).toEqual({ reloads: 0, notices: 0, gaveUp: 0 });
    expect(app.core.vault.isOpen).toBe(true);
    await app.core.shutdown();
  });
});

describe('a second start of the app', () => {
  it('is told apart by its data folder: the same folder only brings the window forward', () => {
    expect(noticeForSecondStart('/data/live', { dataDir: '/data/live' })).toBeNull();
    expect(noticeForSecondStart('/data/live', { dataDir: '/data/live/' })).toBeNull();
    expect(noticeForSecondStart('/data/live', { dataDir: '/tmp/tap-huan' })).toEqual({ kind: 'otherDataFolder', folder: '/tmp/tap-huan' });
    // What an older version (or anything else) sends is not trusted to mean anything.
    for (const odd of [null, undefined, 'x', {}, { dataDir: 7 }, { dataDir: '' }]) expect(noticeForSecondStart('/data/live', odd)).toBeNull();
  });

  it('keeps notices until the window takes them, once each', () => {
    let told = 0;
    const box = new NoticeBox(() => told++);
    box.post({ kind: 'otherDataFolder', folder: '/tmp/a' });
    box.post({ kind: 'otherDataFolder', folder: '/tmp/a' });
    box.post({ kind: 'windowRestarted' });
    expect(told).toBe(3);
    expect(box.take()).toEqual([{ kind: 'otherDataFolder', folder: '/tmp/a' }, { kind: 'windowRestarted' }]);
    expect(box.take()).toEqual([]);
  });
});
