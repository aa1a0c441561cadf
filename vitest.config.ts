import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/renderer/**/*.test.ts', 'test/build/**/*.test.ts', 'test/render/**/*.test.ts'],
    environment: 'node',
    // The centre's time zone: "today" in tests is a date in Ho Chi Minh City, wherever CI runs.
    env: { TZ: 'Asia/Ho_Chi_Minh' },
    pool: 'forks',
    // Both cores (Vitest's default leaves one idle): most of the time goes to key derivations
    // and SQLite, each file in its own process and temp folders, so files do not disturb each other.
    maxWorkers: 2,
    // Each distinct key derivation computed once per process (the same logins recur thousands of times).
    setupFiles: ['test/support/kdf-memo.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
