import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { columnKeys, lookupHash, openText, sealText, wipe } from '../../electron/core/vault/column-seal.ts';

/*
 * Sealed columns for a centre's server: what the server holds of a person's words opens only
 * with the centre's data key, only in the place it was sealed for, and not at all once changed.
 */

const key = () => columnKeys(randomBytes(32));
const alias = { table: 'client', column: 'alias', rowId: 42 };
const corrupt = { name: 'AppError', code: 'DATABASE_CORRUPT' };

describe('a sealed column value', () => {
  it('opens to the same text (Vietnamese, empty, long), and says nothing of it', () => {
    const keys = key();
    for (const text of ['Thử Mẫu Một', '', 'ghi chú '.repeat(2000), 'Nguyễn Thị Ánh — 🙂']) {
      const sealed = sealText(keys, alias, text);
      expect(openText(keys, alias, sealed)).toBe(text);
      expect(sealed.includes(Buffer.from(text, 'utf8')) && text.length > 0).toBe(false);
      // Its length is the text's plus 29 bytes (version, nonce, tag): no more is hidden than that.
      expect(sealed.length).toBe(Buffer.byteLength(text, 'utf8') + 29);
    }
    expect(sealText(keys, alias, null)).toBeNull();
    expect(openText(keys, alias, null)).toBeNull();
  });

  it('is different each time the same text is sealed (a fresh nonce)', () => {
    const keys = key();
    const once = sealText(keys, alias, 'Thử Mẫu Một');
    const twice = sealText(keys, alias, 'Thử Mẫu Một');
    expect(once.equals(twice)).toBe(false);
    expect(once.subarray(1, 13).equals(twice.subarray(1, 13))).toBe(false);
  });

  it('does not open in another row, column or table, under another key, or once changed or cut', () => {
    const keys = key();
    const sealed = sealText(keys, alias, 'Thử Mẫu Một');
    expect(() => openText(keys, { ...alias, rowId: 43 }, sealed)).toThrow(expect.objectContaining(corrupt));
    expect(() => openText(keys, { ...alias, column: 'note' }, sealed)).toThrow(expect.objectContaining(corrupt));
    expect(() => openText(keys, { ...alias, table: 'visit' }, sealed)).toThrow(expect.objectContaining(corrupt));
    // The parts of the place cannot be shifted into one another.
    const shifted = sealText(keys, { table: 'ab', column: 'c', rowId: 1 }, 'x');
    expect(() => openText(keys, { table: 'a', column: 'bc', rowId: 1 }, shifted)).toThrow(expect.objectContaining(corrupt));
    expect(() => openText(key(), alias, sealed)).toThrow(expect.objectContaining(corrupt));
    for (const at of [0, 5, 14, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at] = (changed[at] ?? 0) ^ 1;
      expect(() => openText(keys, alias, changed), `byte ${at}`).toThrow(expect.objectContaining(corrupt));
    }
    expect(() => openText(keys, alias, sealed.subarray(0, 20))).toThrow(expect.objectContaining(corrupt));
  });

  it('no longer opens once its keys are wiped', () => {
    const keys = key();
    const sealed = sealText(keys, alias, 'Thử Mẫu Một');
    wipe(keys);
    expect(keys.seal.every((byte) => byte === 0) && keys.lookup.every((byte) => byte === 0)).toBe(true);
    expect(() => openText(keys, alias, sealed)).toThrow(expect.objectContaining(corrupt));
  });
});

describe('a look-up hash', () => {
  it('is the same for the same value in the same column, and differs by column, value and centre', () => {
    const dataKey = randomBytes(32);
    const keys = columnKeys(dataKey);
    const code = 'THMA-0190-F';
    expect(lookupHash(keys, 'client.code', code)).toBe(lookupHash(columnKeys(dataKey), 'client.code', code));
    expect(lookupHash(keys, 'client.code', code)).not.toBe(lookupHash(keys, 'client.code', 'THMA-0190-F-2'));
    expect(lookupHash(keys, 'client.code', code)).not.toBe(lookupHash(keys, 'client.alias', code));
    expect(lookupHash(keys, 'client.code', code)).not.toBe(lookupHash(key(), 'client.code', code));
    // Not the seal key: a look-up hash tells nothing about sealed values.
    expect(keys.lookup.equals(keys.seal)).toBe(false);
    expect(lookupHash(keys, 'client.code', code)).toMatch(/^[0-9a-f]{64}$/);
  });
});
