import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './scripts/test/sequencer.ts';

export default defineConfig({
  test: {
    include: [
      '{packages,services,apps}/*/test/**/*.test.ts',
      // Unit tests of pure modules sit beside them.
      '{packages,services,apps}/*/src/**/*.test.ts',
      'scripts/test/**/*.test.ts',
    ],
    // Two cores: one fork per core keeps CPU-heavy suites (fuzzing, Chromium) from starving.
    maxWorkers: 2,
    testTimeout: 30_000,
    // The longest files start first, so that the short ones fill in beside them.
    sequence: { sequencer: LongestFirstSequencer },
    // Hooks start whole systems (two servers, their databases, Chromium): on a loaded machine
    // that takes longer than Vitest's 10 s default.
    hookTimeout: 60_000,
    // The database suites need PostgreSQL: check it answers (and start it if it is local).
    globalSetup: ['scripts/test/postgres-setup.ts'],
    // Every answer a test sees must be one its route declares (the OpenAPI documents stay true).
    setupFiles: ['scripts/test/declared-answers.ts'],
  },
});
