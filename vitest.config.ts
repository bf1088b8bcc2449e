// Vitest configuration: the main suites (the project's and each adapter's own) in parallel, then the fault suites alone (they stop and start the real RabbitMQ and PostgreSQL).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts', 'adapters/*/test/**/*.test.ts'], exclude: ['test/faults/**', 'test/bench/**', 'node_modules/**', 'dist/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'broker-faults', include: ['test/faults/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
