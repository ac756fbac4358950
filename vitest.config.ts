import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real processes and loopback servers: most tests wait on a child or a socket, so three forks
    // keep two cores busy (measured here: 217 s against 288 s with two), without starving them.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'bench',
          include: [],
          benchmark: { include: ['bench/**/*.bench.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
