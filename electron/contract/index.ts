import type { z } from 'zod';
import type { ChannelDef } from './channel.ts';
import { auditChannels } from './audit.ts';
import { careChannels } from './care.ts';
import { caseloadChannels } from './caseload.ts';
import { reportsChannels } from './reports.ts';
import { backupChannels } from './backup.ts';
import { rightsChannels } from './rights.ts';
import { clientsChannels } from './clients.ts';
import { groupsChannels } from './groups.ts';
import { importChannels, mergeChannels } from './import.ts';
import { sessionChannels } from './session.ts';
import { settingsChannels } from './settings.ts';
import { setupChannels } from './setup.ts';
import { usersChannels } from './users.ts';

/** The whole API between renderer and core, in one place. */
export const contract = {
  ...sessionChannels,
  ...setupChannels,
  ...usersChannels,
  ...auditChannels,
  ...settingsChannels,
  ...clientsChannels,
  ...careChannels,
  ...groupsChannels,
  ...caseloadChannels,
  ...reportsChannels,
  ...backupChannels,
  ...rightsChannels,
  ...importChannels,
  ...mergeChannels,
} as const satisfies Record<string, ChannelDef>;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
export type ParsedInput<C extends ChannelName> = z.output<Contract[C]['input']>;

export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** What the preload exposes on `window.dongHanh`; nothing else crosses into the renderer. */
export interface DongHanhBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  onLocked(listener: () => void): () => void;
  /** Notices from the shell: those waiting are delivered at once, later ones as they come. */
  onNotice(listener: (notice: unknown) => void): () => void;
  /** How far a long call has come (see shell.ts `CallProgress`). */
  onProgress(listener: (progress: unknown) => void): () => void;
  /** Ask the long call under way to stop (nothing happens when none runs). */
  stop(): void;
}

export * from './errors.ts';
export * from './shell.ts';
export * from './permissions.ts';
export * from './schemas.ts';
export * from './channel.ts';
export * from './session.ts';
export * from './setup.ts';
export * from './users.ts';
export * from './audit.ts';
export * from './settings.ts';
export * from './clients.ts';
export * from './care.ts';
export * from './groups.ts';
export * from './caseload.ts';
export * from './reports.ts';
export * from './backup.ts';
export * from './rights.ts';
export * from './indicators.ts';
export * from './vocabulary.ts';
export * from './periods.ts';
export * from './consent-texts.ts';
export * from './client-code.ts';
export * from './import.ts';
export * from './text.ts';
