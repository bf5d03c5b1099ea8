import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/count-reporter.ts'],
    globalSetup: ['./test/support/build-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{protocol,common,hardware,kiosk,edge-hub,cloud-relay,cli,ui,tools}/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          // Cross-process tests start servers and kill them; running them one at a time keeps the two
          // cores of CI free for the processes under test.
          fileParallelism: false,
        },
      },
    ],
  },
});
