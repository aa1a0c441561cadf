import { defineConfig } from 'vitest/config';

/* The crash harness alone: CI runs it beside the end-to-end tests (see scripts/run-together.mjs). */
export default defineConfig({
  test: {
    include: ['test/crash/**/*.test.ts'],
    environment: 'node',
    env: { TZ: 'Asia/Ho_Chi_Minh' },
    pool: 'forks',
    testTimeout: 1_200_000,
    hookTimeout: 120_000,
  },
});
