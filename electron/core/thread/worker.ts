import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createCore, invokeWithPrompt } from '../index.ts';
import { systemClock } from '../clock.ts';
import type { CoreThreadData, FromCore, ToCore } from './protocol.ts';
import { SharedClock } from './shared-clock.ts';

/*
 * The core's own thread: the vault, the session, the gate and every feature run here, so a
 * backup's copy or a year's report never stalls the window's process. The shell talks to it
 * only through the messages of protocol.ts (see core-thread.ts for the other end).
 */

if (!parentPort) throw new Error('the core runs in a worker thread');
const port = parentPort;
const data = workerData as CoreThreadData;
const send = (message: FromCore) => port.postMessage(message);

const { core, gate } = createCore({
  dataDir: data.dataDir,
  clock: data.sharedClock ? new SharedClock(data.sharedClock) : systemClock,
  calibrateKdf: data.kdf ? async () => data.kdf! : undefined,
  log: (line) => send({ kind: 'log', line }),
});
core.onLocked((reason) => send({ kind: 'locked', reason }));
core.onProgress((progress) => send({ kind: 'progress', progress }));

/** Path prompts waiting for the shell's dialog, by the call's id. */
const asking = new Map<number, (path: string | null) => void>();

async function run(message: Exclude<ToCore, { kind: 'answer' | 'stop' }>): Promise<unknown> {
  if (message.kind === 'invoke') {
    return invokeWithPrompt(core, gate, message.channel, message.input, (prompt) => {
      send({ kind: 'ask', id: message.id, prompt });
      return new Promise((resolve) => asking.set(message.id, resolve));
    });
  }
  switch (message.method) {
    case 'lock':
      return core.lock(message.reason ?? 'manual');
    case 'checkIdle':
      return core.checkIdle();
    case 'timer':
      return core.scheduledBackup();
    case 'shutdown':
      await core.shutdown(message.reason === 'shutdown' ? 'shutdown' : 'quit');
      return null;
  }
}

port.on('message', (message: ToCore) => {
  if (message.kind === 'stop') {
    core.askToStop();
    return;
  }
  if (message.kind === 'answer') {
    asking.get(message.id)?.(message.path);
    asking.delete(message.id);
    return;
  }
  const started = performance.now();
  run(message).then(
    (result) => send({ kind: 'done', id: message.id, result: result as never, open: core.vault.isOpen, spentMs: performance.now() - started }),
    // The gate answers every call with a result; only a kernel step can fail here: its name, never data.
    (error: unknown) => send({ kind: 'failed', id: message.id, open: core.vault.isOpen, name: (error as { code?: string; name?: string } | null)?.code ?? (error as Error | null)?.name ?? 'error' }),
  );
});

send({ kind: 'ready' });
