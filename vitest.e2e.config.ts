import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    // The centre's time zone: "today" in tests is a date in Ho Chi Minh City, wherever CI runs.
    env: { TZ: 'Asia/Ho_Chi_Minh' },
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    // A screen waits for the real core (key derivations of half a second or more when the machine
    // is busy): a poll gives it this long unless it says otherwise.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
  },
});
