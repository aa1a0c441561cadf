import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint rule that holds the layers must catch each kind of crossing. */
describe('layer boundaries', () => {
  const eslint = new ESLint();
  const problems = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').length;
  };

  it.each([
    ['renderer/src/x.ts', "import { createCore } from '../../electron/core/index.ts';\nexport { createCore };"],
    ['renderer/src/x.ts', "import { IPC } from '../../electron/main/ipc-names.ts';\nexport { IPC };"],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport { readFileSync };"],
    ['renderer/src/x.ts', "import { app } from 'electron';\nexport { app };"],
    ['electron/core/x.ts', "import { app } from 'electron';\nexport { app };"],
    ['electron/core/x.ts', "import { IPC } from '../main/ipc-names.ts';\nexport { IPC };"],
    ['electron/contract/x.ts', "import { Core } from '../core/core.ts';\nexport { Core };"],
    ['migrations/0002_x.ts', "import { Vault } from '../electron/core/vault/vault.ts';\nexport { Vault };"],
  ])('refuses %s importing across a layer', async (file, code) => {
    expect(await problems(file, code)).toBe(1);
  });

  it('allows the renderer to import the contract', async () => {
    expect(await problems('renderer/src/x.ts', "import { contract } from '../../electron/contract/index.ts';\nexport { contract };")).toBe(0);
  });
});
