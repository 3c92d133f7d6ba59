import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e tests share a real systemd user manager and a real crontab: keep files in one process at a time.
    fileParallelism: true,
    reporters: ['default'],
  },
});
