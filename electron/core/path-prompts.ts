import { contract, isChannelName } from '../contract/index.ts';
import type { Core } from './core.ts';
import { reportSavePrompt } from './reports/handlers.ts';

/*
 * What the shell's dialog asks for a call that works on a path (contract `pathFrom`): a file to
 * save, with the name it offers, or a folder. Null for any other call, and for a call whose
 * input names nothing to save (the call itself then says why).
 */

export type PathPrompt = { kind: 'saveFile'; fileName: string; extension: string } | { kind: 'chooseFolder' };

export function pathPrompt(core: Core, channel: unknown, input: unknown): PathPrompt | null {
  if (!isChannelName(channel)) return null;
  const def = contract[channel];
  if (!('pathFrom' in def)) return null;
  if (def.pathFrom === 'chooseFolder') return { kind: 'chooseFolder' };
  const file = channel === 'reports.save' ? reportSavePrompt(core, input) : null;
  return file ? { kind: 'saveFile', ...file } : null;
}
