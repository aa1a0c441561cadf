import { scrypt } from 'node:crypto';
import { z } from 'zod';

/**
 * Key derivation for key slots: scrypt from Node's own crypto (no native add-on to ship).
 * Parameters are calibrated once on the PC at setup and stored in every slot, so a slot made
 * on a fast machine still opens on a slow one. Never below OWASP's floor for scrypt.
 */
export const SCRYPT_FLOOR = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Memory cap: office PCs with 4 GB must not be pushed into swap at login. */
export const SCRYPT_MAX_N = 2 ** 18;
export const SCRYPT_MAX_P = 8;
export const CALIBRATION_TARGET_MS = { min: 300, max: 1000 } as const;

export const scryptParamsSchema = z
  .object({
    alg: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
  })
  .strict()
  .refine((params) => meetsFloor(params), { error: 'below the OWASP floor or out of range' });

export type ScryptParams = z.infer<typeof scryptParamsSchema>;

export function meetsFloor(params: { N: number; r: number; p: number }): boolean {
  const powerOfTwo = params.N > 1 && (params.N & (params.N - 1)) === 0;
  return (
    powerOfTwo &&
    params.N >= SCRYPT_FLOOR.N &&
    params.N <= SCRYPT_MAX_N &&
    // r stays at the floor: calibration raises N (memory) and p (time), and N·r is what
    // bounds memory (128·N·r bytes: 256 MiB at the cap).
    params.r === SCRYPT_FLOOR.r &&
    params.p >= SCRYPT_FLOOR.p &&
    params.p <= SCRYPT_MAX_P
  );
}

export function deriveKey(secret: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  if (!meetsFloor(params)) return Promise.reject(new Error('scrypt parameters below the floor'));
  const maxmem = 128 * params.N * params.r * (params.p + 1) + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/**
 * Measure the floor parameters on this PC and raise cost (memory first, up to the cap, then
 * parallelism) until one derivation takes at least the target minimum.
 */
export async function calibrate(measure: (params: ScryptParams) => Promise<number> = timeDerivation): Promise<{
  params: ScryptParams;
  ms: number;
}> {
  let params: ScryptParams = { alg: 'scrypt', ...SCRYPT_FLOOR };
  let ms = await measure(params);
  while (ms < CALIBRATION_TARGET_MS.min) {
    const next: ScryptParams =
      params.N < SCRYPT_MAX_N ? { ...params, N: params.N * 2 } : { ...params, p: params.p * 2 };
    if (next.p > SCRYPT_MAX_P) break;
    // Cost grows about linearly in N and p; skip the measurement when a doubling would overshoot.
    if (ms * 2 > CALIBRATION_TARGET_MS.max) break;
    params = next;
    ms = await measure(params);
  }
  return { params, ms };
}

async function timeDerivation(params: ScryptParams): Promise<number> {
  const started = performance.now();
  const key = await deriveKey(Buffer.from('calibration'), Buffer.alloc(16), params);
  key.fill(0);
  return performance.now() - started;
}
