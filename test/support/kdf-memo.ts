import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import type * as KdfModule from '../../electron/core/vault/kdf.ts';

/*
 * The suites log in hundreds of times, nearly always as the same four people on copies of
 * one template vault: the same password, salt and parameters, so the same key. scrypt at the
 * floor costs a third of a second of CPU each time; here each distinct derivation is computed
 * once per test process, by the real function, and its answer reused. A wrong password, another
 * salt or other parameters are a different input and are derived for real. Calibration times
 * the real derivation (it calls it inside the module); the benchmarks do not use this file.
 */
type Kdf = typeof KdfModule;

const memo: Map<string, Promise<Buffer>> = ((globalThis as { __dhKdfMemo?: Map<string, Promise<Buffer>> }).__dhKdfMemo ??= new Map());

vi.mock('../../electron/core/vault/kdf.ts', async (importOriginal) => {
  const real = await importOriginal<Kdf>();
  const deriveKey: Kdf['deriveKey'] = (secret, salt, params) => {
    const key = createHash('sha256').update(JSON.stringify([secret.toString('base64'), salt.toString('base64'), params])).digest('base64');
    let derived = memo.get(key);
    if (!derived) {
      derived = real.deriveKey(secret, salt, params);
      memo.set(key, derived);
      derived.catch(() => memo.delete(key));
    }
    // Callers wipe the key they were given: hand each a copy.
    return derived.then((bytes) => Buffer.from(bytes));
  };
  return { ...real, deriveKey };
});
