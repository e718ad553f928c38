import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    // The English messages stand in for the browser's i18n in Node.
    setupFiles: ['test/support/i18n-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          // Vitest's default is one worker less than the cores: one worker on a 2-core runner,
          // leaving a core idle. Unit files share nothing, so they take both.
          maxWorkers: 2,
          // 5 s by default: a file's first import of a module graph is transformed on the spot,
          // seconds on a shared 2-core machine, and a test given up on still runs into the next.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // One Chromium at a time: the machine has two cores.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'firefox',
          include: ['test/e2e-firefox/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/server/**/*.test.ts'],
          environment: 'node',
          // A throwaway PostgreSQL for the whole run (skipped or failing when not installed).
          globalSetup: ['test/server/setup/postgres.ts'],
          // PGlite and PostgreSQL are heavy on two shared cores: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
