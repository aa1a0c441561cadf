import type { SetupInput } from '../../contract/setup.ts';
import { AppError } from '../app-error.ts';
import type { HandlerMap } from '../gate/types.ts';
import { sessionSlot } from '../session-state.ts';
import { writeFirstSettings } from '../settings/centre-settings.ts';
import { getUser, insertUser } from '../users/accounts.ts';
import { confirmedRecoveryCode, issueRecoveryCode, shownOnce, type PendingRecoveryCode } from '../vault/recovery-code.ts';
import type { PreparedVault } from '../vault/vault.ts';
import type { Feature } from '../feature.ts';
import { checkConnectionFile } from '../vault/server-vault.ts';
import type { ServerConnection } from '../vault/server-provision.ts';

export interface PendingSetup extends PendingRecoveryCode {
  /** What the wizard entered, without the password (it lives on only inside the sealed slot). */
  input: Omit<SetupInput, 'adminPassword'>;
  prepared: PreparedVault;
}

/** A setup prepared in memory, waiting for its recovery code to be confirmed (between sessions: nobody exists to log in). */
export const PENDING_SETUP = sessionSlot<PendingSetup | null>('setup.pending', () => null, (pending) => pending?.prepared.dataKey.fill(0));

/** A server's connection file, checked and shown, waiting for the person to connect this PC to it. */
export const PENDING_SERVER = sessionSlot<ServerConnection | null>('setup.server', () => null);

/**
 * First run. `setup.begin` prepares everything in memory (keys, slots, the recovery code);
 * only when the person types back part of the code does `setup.complete` write the vault,
 * so a code that was never written down never protects anything.
 */
export const setupHandlers: Pick<HandlerMap, 'setup.begin' | 'setup.complete' | 'setup.cancel' | 'setup.serverCheck' | 'setup.serverConnect' | 'setup.serverLeave'> = {
  'setup.begin': async (input, { core }) => {
    if (core.vault.presence().state !== 'absent') throw new AppError('VAULT_EXISTS');
    core.betweenSessions.release(PENDING_SETUP);
    const code = issueRecoveryCode();
    const { adminPassword, ...rest } = input;
    const prepared = await core.vault.prepare({ username: input.adminUsername, password: adminPassword }, code.recoveryCode);
    core.betweenSessions.set(PENDING_SETUP, { input: rest, prepared, ...code });
    return shownOnce(code);
  },

  'setup.complete': async (input, { core, note }) => {
    const pending = core.betweenSessions.get(PENDING_SETUP);
    if (!pending) throw new AppError('SETUP_NOT_STARTED');
    confirmedRecoveryCode(pending, input.confirmation);
    const { input: setup, prepared } = pending;
    const at = core.nowIso();
    let adminId = 0;
    // The first account and the centre's settings are written with the database, before the
    // keyring: if anything fails, nothing of the vault is left behind.
    await core.vault.create(prepared, async (trx) => {
      adminId = await insertUser(trx, {
        username: setup.adminUsername,
        displayName: setup.adminDisplayName,
        roles: ['admin'],
        language: setup.language,
        mustChangePassword: false,
        createdBy: null,
        at,
      });
      await trx.updateTable('user').set({ key_slot_id: prepared.adminSlotId }).where('id', '=', adminId).execute();
      await writeFirstSettings(trx, { centreName: setup.centreName, centreCode: setup.centreCode }, { userId: adminId, at });
    });
    // Written: its key now lives in the vault (not wiped here, the open vault uses it).
    core.betweenSessions.set(PENDING_SETUP, null);
    note({ targetType: 'user', targetId: adminId, detail: { centreCode: setup.centreCode } });
    return core.startSession(await getUser(core.vault.db, adminId));
  },

  'setup.cancel': async (_input, { core }) => {
    core.betweenSessions.release(PENDING_SETUP);
    return {};
  },

  'setup.serverCheck': async (_input, { core, chosenPath }) => {
    core.mayConnectToServer();
    return checkConnectionFile(core.betweenSessions, PENDING_SERVER, chosenPath);
  },

  'setup.serverConnect': async (_input, { core }) => {
    const connection = core.betweenSessions.get(PENDING_SERVER);
    if (!connection) throw new AppError('SETUP_NOT_STARTED');
    const { present } = await core.connectToServer(connection);
    core.betweenSessions.set(PENDING_SERVER, null);
    return { present };
  },

  'setup.serverLeave': async (_input, { core }) => {
    core.leaveServer();
    // A setup begun for that server (its recovery code shown) is not this PC's any more.
    core.betweenSessions.release(PENDING_SETUP);
    return {};
  },
};

/** First run: the centre and its first administrator, written once the recovery code is confirmed. */
export const setupFeature: Feature = { handlers: setupHandlers };
