import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/*
 * Lint, and the layer rules that keep the app's shape (see DESIGN.md §1):
 * - renderer imports nothing from electron/core or electron/main, nor Node or Electron;
 * - electron/core never imports electron (it runs and is tested in plain Node);
 * - electron/contract imports nothing of ours but itself (and zod);
 * - migrations never import app code.
 */

const noElectron = { name: 'electron', message: 'electron/core runs in plain Node: take what Electron provides as arguments.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3-multiple-ciphers', 'kysely'].map((name) => ({
            name,
            message: 'The renderer is sandboxed: no Node, no Electron, no database.',
          })),
          patterns: [
            { group: ['**/electron/core', '**/electron/core/**'], message: 'The renderer reaches core only through the contract and the gate.' },
            { group: ['**/electron/main', '**/electron/main/**', '**/electron/preload/**'], message: 'The renderer never imports the Electron shell.' },
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'electron/core depends on nothing above it.' }],
        },
      ],
    },
  },
  {
    files: ['electron/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/core/**', '**/main/**', '**/preload/**', '**/renderer/**', 'node:*', 'kysely'], message: 'The contract imports nothing of ours.' }],
        },
      ],
    },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/electron/**', '**/renderer/**'], message: 'Migrations are frozen in time: never import app code.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**/*.{js,mjs,cjs}', '*.config.{js,cjs}', 'electron-builder.config.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
