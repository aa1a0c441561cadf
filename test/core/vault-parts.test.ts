import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calibrate, meetsFloor, SCRYPT_FLOOR, SCRYPT_MAX_N, type ScryptParams } from '../../electron/core/vault/kdf.ts';
import {
  confirmsGroup,
  generateRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_BITS,
} from '../../electron/core/vault/recovery-code.ts';
import { delayAfter } from '../../electron/core/vault/unlock-state.ts';
import { combineHandlers } from '../../electron/core/gate/registry.ts';
import { handlers } from '../../electron/core/index.ts';
import { CHANNEL_NAMES } from '../../electron/contract/index.ts';

describe('key derivation calibration', () => {
  const machine = (msAtFloor: number) => async (params: ScryptParams) =>
    msAtFloor * (params.N / SCRYPT_FLOOR.N) * params.p * (params.r / SCRYPT_FLOOR.r);

  it('keeps the floor on a slow PC, even when it takes longer than the target', async () => {
    expect((await calibrate(machine(1500))).params).toEqual({ alg: 'scrypt', ...SCRYPT_FLOOR });
  });

  it('raises memory cost, then parallel cost, on a fast PC until a derivation takes 0.3 s or more', async () => {
    const fast = await calibrate(machine(100));
    expect(fast.params.N).toBe(SCRYPT_MAX_N);
    expect(fast.ms).toBeGreaterThanOrEqual(300);
    expect(fast.ms).toBeLessThanOrEqual(1000);
    const veryFast = await calibrate(machine(20));
    expect(veryFast.params.p).toBeGreaterThan(1);
    expect(meetsFloor(veryFast.params)).toBe(true);
  });

  it('rejects parameters below the OWASP floor', () => {
    expect(meetsFloor({ N: 2 ** 16, r: 8, p: 1 })).toBe(false);
    expect(meetsFloor({ N: 2 ** 17, r: 4, p: 1 })).toBe(false);
    expect(meetsFloor({ N: 3 * 2 ** 16, r: 8, p: 1 })).toBe(false);
    expect(meetsFloor({ N: 2 ** 17, r: 8, p: 1 })).toBe(true);
  });
});

describe('recovery codes', () => {
  it('carry at least 128 bits in eight groups of four readable characters', () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(128);
    const codes = new Set(Array.from({ length: 200 }, generateRecoveryCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('forgive case, spaces, dashes and the usual misreadings', () => {
    fc.assert(
      fc.property(fc.constant(null).map(generateRecoveryCode), (code) => {
        const typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'i');
        expect(normalizeRecoveryCode(typed)).toBe(code.replaceAll('-', ''));
        expect(confirmsGroup(code, 3, ` ${code.split('-')[2]?.toLowerCase()} `)).toBe(true);
      }),
      { numRuns: 50 },
    );
    expect(normalizeRecoveryCode('too short')).toBeNull();
    expect(normalizeRecoveryCode('UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU')).toBeNull();
  });
});

describe('unlock delays', () => {
  it('are free for five attempts, then 30 s, doubling, at most 15 minutes', () => {
    expect([0, 4, 5, 6, 7, 10, 50].map(delayAfter)).toEqual([0, 0, 30_000, 60_000, 120_000, 900_000, 900_000]);
  });
});

describe('handler registry', () => {
  it('has exactly one handler per contract channel', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('refuses a channel claimed twice, a missing one and an unknown one', () => {
    const one = { 'session.get': handlers['session.get'] };
    expect(() => combineHandlers(handlers, one)).toThrow(/Two handlers/);
    const { 'users.list': _omitted, ...rest } = handlers;
    expect(() => combineHandlers(rest)).toThrow(/No handler for channels: users.list/);
    expect(() => combineHandlers(handlers, { 'users.drop': handlers['users.list'] } as never)).toThrow(/unknown channel/);
  });
});
