import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, CHANNEL_NAMES } from '../../electron/contract/index.ts';
import { Gate, handlers } from '../../electron/core/index.ts';
import { ADMIN, copyOfTemplate, loginAs } from '../support/vault-fixture.ts';
import { auditCount, contentSnapshot } from '../support/db-snapshot.ts';

/** Inputs shaped like the real ones (the right keys, anything in them), and anything at all. */
function inputsFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const shaped = shape.length
    ? fc.record(Object.fromEntries(shape.map((key) => [key, fc.anything()])), { requiredKeys: [] })
    : fc.constant({ unexpected: 1 });
  return fc.oneof(fc.anything(), shaped, fc.string(), fc.array(fc.anything()));
}

describe('malformed input', () => {
  it('gets a VALIDATION error naming fields, never values, and changes nothing', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const before = await contentSnapshot(app);
    const entries = await auditCount(app);
    for (const channel of CHANNEL_NAMES) {
      const schema = contract[channel].input;
      await fc.assert(
        fc.asyncProperty(inputsFor(schema), async (input) => {
          // The gate reads a missing input as {} (channels without fields are called without one).
          fc.pre(!schema.safeParse(input === undefined ? {} : input).success);
          const result = await app.gate.invoke(channel, input);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.code).toBe('VALIDATION');
          for (const issue of result.error.issues ?? []) {
            expect(typeof issue.path).toBe('string');
            expect(issue.message).toMatch(/^[a-zA-Z]+$/);
          }
        }),
        { numRuns: 60 },
      );
    }
    expect(await contentSnapshot(app)).toBe(before);
    expect(await auditCount(app)).toBe(entries);
    expect(app.core.session?.username).toBe(ADMIN.username);
  });

  it('refuses unknown channels and non-string channel names', async () => {
    const app = await copyOfTemplate();
    for (const name of ['users.drop', '__proto__', 'constructor', 42, null, undefined]) {
      expect(await app.gate.invoke(name, {})).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('strips fields a handler did not declare from what it returns', async () => {
    const app = await copyOfTemplate();
    await loginAs(app, ADMIN);
    const leaky = { id: 1, username: 'a', displayName: 'A', roles: ['worker'], active: true, mustChangePassword: false, createdAt: 'x', lastLoginAt: null, version: 'v', key_slot_id: 'secret' };
    const gate = new Gate(app.core, { ...handlers, 'users.list': async () => [leaky] as never });
    const result = await gate.invoke('users.list', {});
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('secret');
  });
});
