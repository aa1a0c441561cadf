import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { folderLoops, importCircles, importGraph, kernelCrossings } from '../support/import-graph.ts';
import { tempDir } from '../support/vault-fixture.ts';

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

/** The kernel's files and folders, and the features' folders (shared modules such as records/ and audit/trail.ts are neither). */
const KERNEL = ['core.ts', 'session-state.ts', 'clock.ts', 'serial-queue.ts', 'app-error.ts', 'files.ts', 'feature.ts', 'path-prompts.ts', 'gate/', 'vault/', 'db/', 'audit/trail.ts'];
const FEATURES = ['auth', 'backup', 'care', 'caseload', 'clients', 'erasure', 'groups', 'import', 'reports', 'rights', 'settings', 'setup', 'users'];

describe('core\'s import graph', () => {
  const graph = importGraph('electron/core');

  it('reads the real code (a sanity check on the reader itself)', () => {
    expect(graph.size).toBeGreaterThan(60);
    expect(graph.get('index.ts')?.has('core.ts')).toBe(true);
    // A multi-line import is read too.
    expect(graph.get('backup/handlers.ts')?.has('backup/backup-files.ts')).toBe(true);
  });

  it('has no import circle', () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it('has no two folders importing each other: what several need is a module of its own', () => {
    expect(folderLoops(graph)).toEqual([]);
  });

  it('has a kernel (vault, session, gate, clock, log, the settings store) that names no feature', () => {
    expect(kernelCrossings(graph, KERNEL, FEATURES)).toEqual([]);
    // The features are all there is to name (a folder renamed would make the check pass emptily).
    const folders = new Set([...graph.keys()].filter((file) => file.includes('/')).map((file) => file.split('/')[0]));
    for (const feature of FEATURES) expect(folders.has(feature), feature).toBe(true);
  });

  it('finds a planted circle and a planted pair of folders', () => {
    const root = tempDir('dh-graph-');
    for (const folder of ['x', 'y']) mkdirSync(join(root, folder));
    writeFileSync(join(root, 'a.ts'), "import { b } from './b.ts';\nexport const a = b;\n");
    writeFileSync(join(root, 'b.ts'), "import type {\n  A,\n} from './c.ts';\nexport const b = 1 as unknown as A;\n");
    writeFileSync(join(root, 'c.ts'), "export { a as A } from './a.ts';\n");
    writeFileSync(join(root, 'x', 'one.ts'), "export const one = async () => (await import('../y/two.ts')).two;\n");
    writeFileSync(join(root, 'y', 'two.ts'), "import { one } from '../x/one.ts';\nexport const two = one;\n");
    const planted = importGraph(root);
    expect(importCircles(planted)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['x/one.ts', 'y/two.ts']]);
    expect(folderLoops(planted).map((loop) => loop.folders)).toEqual([['x', 'y']]);
    // A kernel file that names a feature is found.
    expect(kernelCrossings(planted, ['a.ts', 'x/'], ['y'])).toEqual(['x/one.ts -> y/two.ts']);
  });
});
