import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/*
 * The core tests whose outcome depends on where the records are kept, run again with the
 * centre's PostgreSQL server as the store (DESIGN.md §8): the same files, the same assertions,
 * every app on a database of its own in one throwaway cluster. What does not depend on the
 * store (the contract, the renderer, the build, the file vault's own format) runs once, in
 * `test:unit`; tests about the encrypted file itself are marked `onFile` and skipped here.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/core/{clients,caseload,groups,rights,record-access,stated-reasons,dashboard,reports,audit,accounts,gate-permissions,import,merge}.test.ts',
    ],
    env: { ...base.test?.env, DH_STORE: 'pg' },
    globalSetup: ['test/support/pg-global-setup.ts'],
  },
});
