import { defineConfig } from 'vitest/config';

/**
 * Two tiers (CONTRIBUTING.md):
 * - `unit`: logic, goldens, fakes and in-process adapters — no compiled CLI spawned, no real
 *   scheduler, no oracle build. `npm run test:unit`, the inner loop.
 * - `slow`: the compiled CLI, the real crontab and systemd user manager, the Debian-cron oracle
 *   and the fault-injection suites. `npm test` runs both tiers.
 */
const SLOW = [
  'test/e2e/**/*.test.ts',
  'test/reliability/**/*.test.ts',
  'test/oracle/**/*.test.ts',
  'test/edit/cli.test.ts',
  'test/doctor/cli.test.ts',
  'test/cli/error-messages.test.ts',
  'test/cli/every-command.test.ts',
  'test/cli/kubernetes-clock-changes.test.ts',
  'test/cli/never-fires.test.ts',
  'test/backends/systemd/oncalendar.test.ts',
  'test/**/*.slow.test.ts',
  'test/ui/api.test.ts',
  'test/ui/browser.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e tests share a real systemd user manager and a real crontab per throw-away user; files
    // run in parallel workers, each with its own user and manager.
    fileParallelism: true,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: SLOW },
      },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
