import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  CHANNEL_NAMES,
  centreSettingsSchema,
  CLOSE_REASONS,
  CONSENT_GIVERS,
  CONSENT_METHODS,
  CONSENT_PURPOSES,
  ERROR_CODES,
  HISTORY_FIELDS,
  PARTNER_KINDS,
  REFERRAL_STATUSES,
  ROLES,
  SERVICE_GROUPS,
  SEXES,
  VALIDATION_MESSAGES,
  VISIT_PLACES,
  WORK_SETTINGS,
} from '../../electron/contract/index.ts';
import { en, vi } from '../../renderer/src/i18n/messages.ts';
import { formatDate, formatDateTime, parseDisplayDate } from '../../renderer/src/i18n/format.ts';

type Tree = { [key: string]: string | Tree };
function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}
const lookup = (tree: Tree, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);

describe('translations', () => {
  it('English has exactly the keys Vietnamese has, and no empty sentence', () => {
    expect(keys(en as unknown as Tree).sort()).toEqual(keys(vi as unknown as Tree).sort());
    for (const key of keys(vi as unknown as Tree)) {
      expect(String(lookup(vi as unknown as Tree, key)).trim(), `vi ${key}`).not.toBe('');
      expect(String(lookup(en as unknown as Tree, key)).trim(), `en ${key}`).not.toBe('');
    }
  });

  it('has a sentence for every error code, validation message and role', () => {
    for (const language of [vi, en]) {
      for (const code of ERROR_CODES) expect(language.errors[code], code).toBeTruthy();
      for (const message of VALIDATION_MESSAGES) expect(language.validation[message], message).toBeTruthy();
      for (const role of ROLES) expect(language.roles[role], role).toBeTruthy();
    }
  });

  it('has words for every value of every list', () => {
    const lists = {
      sex: SEXES,
      workSetting: WORK_SETTINGS,
      ageBand: AGE_BANDS,
      consentPurpose: CONSENT_PURPOSES,
      consentMethod: CONSENT_METHODS,
      consentGiver: CONSENT_GIVERS,
      visitPlace: VISIT_PLACES,
      referralStatus: REFERRAL_STATUSES,
      closeReason: CLOSE_REASONS,
      partnerKind: PARTNER_KINDS,
      serviceGroup: SERVICE_GROUPS,
    } as const;
    for (const language of [vi, en]) {
      for (const [list, values] of Object.entries(lists)) {
        const words = language.vocabulary[list as keyof typeof lists] as Record<string, string>;
        expect(Object.keys(words).sort(), list).toEqual([...values].sort());
      }
    }
  });

  it('names every field the history of corrections can hold', () => {
    for (const language of [vi, en]) {
      const fields = language.rights.fields as Record<string, string>;
      expect(Object.keys(fields).sort()).toEqual([...HISTORY_FIELDS].sort());
    }
  });

  it('names every audited activity, reads included (the activity log lists them and filters by them)', () => {
    const audited = CHANNEL_NAMES;
    for (const language of [vi, en]) {
      for (const action of audited) {
        expect((language.auditActions as Record<string, string>)[action.replaceAll('.', '_')], action).toBeTruthy();
      }
    }
  });

  it('names every detail the trail can hold, in words (read from what core writes)', () => {
    // Every `detail: { … }` (and `const detail = { … }`) in core, and every centre setting (a
    // settings change names what it changed): an unnamed one would show as a code on screen.
    const root = new URL('../../electron/core/', import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
    // (Not the groups' versions: they are sent back with a change, never written into the trail.)
    const keys = new Set<string>(Object.keys(centreSettingsSchema.shape).filter((key) => key !== 'versions'));
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const match of text.matchAll(/(?:detail:|const detail =)\s*\{/g)) {
        let depth = 1;
        let end = (match.index ?? 0) + match[0].length;
        const start = end;
        while (depth > 0 && end < text.length) {
          if (text[end] === '{') depth++;
          else if (text[end] === '}') depth--;
          end++;
        }
        for (const key of text.slice(start, end - 1).matchAll(/(?:^|[,{(\s])([a-zA-Z]+)\s*(?=[:,}]|$)/g)) if (key[1] !== 'true' && key[1] !== 'null') keys.add(key[1] ?? '');
      }
    }
    expect(keys.size).toBeGreaterThan(40);
    for (const language of [vi, en]) {
      const named = language.audit.detailKeys as Record<string, string>;
      expect([...keys].filter((key) => !named[key]).sort(), 'unnamed detail keys').toEqual([]);
    }
  });

  it('speaks as social workers do', () => {
    expect(vi.nav.clients).toBe('Thân chủ');
    expect(vi.nav.todo).toBe('Việc cần làm');
    expect(vi.nav.reports).toBe('Báo cáo');
    expect(vi.nav.admin).toBe('Quản trị');
    expect(vi.app.name).toBe('Đồng Hành');
  });

  it('keeps interpolation placeholders the same in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of keys(vi as unknown as Tree)) {
      expect(placeholders(String(lookup(en as unknown as Tree, key))), key).toEqual(placeholders(String(lookup(vi as unknown as Tree, key))));
    }
  });
});

describe('dates as dd/MM/yyyy', () => {
  it('formats and parses local dates', () => {
    expect(formatDate(new Date(2026, 0, 5))).toBe('05/01/2026');
    expect(formatDateTime(new Date(2026, 10, 28, 9, 7))).toBe('28/11/2026 09:07');
    expect(parseDisplayDate('5/1/2026')).toBe('2026-01-05');
    expect(parseDisplayDate(' 28/11/2026 ')).toBe('2026-11-28');
    for (const bad of ['31/02/2026', '2026-11-28', '28/13/2026', '', '1/12/226', '12', 'mai']) expect(parseDisplayDate(bad), bad).toBeNull();
  });

  it('takes a day and month of this year, a two-digit year, and today\'s shortcuts', () => {
    const today = '2026-11-28';
    expect(parseDisplayDate('1/12', today)).toBe('2026-12-01');
    expect(parseDisplayDate('1.12', today)).toBe('2026-12-01');
    expect(parseDisplayDate('29/2', today)).toBeNull();
    expect(parseDisplayDate('5/1/26', today)).toBe('2026-01-05');
    expect(parseDisplayDate('05-01-2026', today)).toBe('2026-01-05');
    for (const word of ['hn', 'Hôm nay', 'hom nay', 'today']) expect(parseDisplayDate(word, today), word).toBe(today);
    for (const word of ['hq', 'Hôm qua', 'yesterday']) expect(parseDisplayDate(word, today), word).toBe('2026-11-27');
    expect(parseDisplayDate('+7', today)).toBe('2026-12-05');
    expect(parseDisplayDate('-30', today)).toBe('2026-10-29');
  });
});
