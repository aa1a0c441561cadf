import { contract, isChannelName, type Result } from '../contract/index.ts';
import type { Core } from './core.ts';
import type { Gate } from './gate/gate.ts';

/*
 * What the shell's dialog asks for a call that works on a path (contract `pathFrom`): a file to
 * save, with the name it offers, or a folder. Null for any other call, and for a call whose
 * input names nothing to save (the call itself then says why).
 */

export type PathPrompt = { kind: 'saveFile'; fileName: string; extension: string } | { kind: 'openFile'; extensions: readonly string[] } | { kind: 'chooseFolder' };

export function pathPrompt(core: Core, channel: unknown, input: unknown): PathPrompt | null {
  if (!isChannelName(channel)) return null;
  const def = contract[channel];
  if (!('pathFrom' in def)) return null;
  if (def.pathFrom === 'chooseFolder') return { kind: 'chooseFolder' };
  // A file to read, of the kinds the channel names (the connection file `server:init` wrote, an old register).
  if (def.pathFrom === 'openFile') return { kind: 'openFile', extensions: 'opens' in def && def.opens ? def.opens : [] };
  // The feature whose channel it is says what the file is called.
  for (const hooks of core.hooks) {
    const file = hooks.fileToSave?.(core, channel, input);
    if (file) return { kind: 'saveFile', ...file };
  }
  return null;
}

/**
 * A call as the shell makes it: when it works on a path, the gate's checks first (nobody is
 * asked for a file she may not use), then the dialog (`ask`; null: cancelled), then the call,
 * which runs only if the session is still the one that asked. Main and the end-to-end harness
 * both call this, with their own dialogs.
 */
export async function invokeWithPrompt(
  core: Core,
  gate: Gate,
  channel: unknown,
  input: unknown,
  ask: (prompt: PathPrompt) => Promise<string | null>,
): Promise<Result<unknown>> {
  const prompt = pathPrompt(core, channel, input);
  if (!prompt) return gate.invoke(channel, input);
  const checked = await gate.precheck(channel, input);
  if ('refused' in checked) return checked.refused;
  const path = await ask(prompt);
  return gate.invoke(channel, input, { path, sessionSerial: checked.sessionSerial });
}
