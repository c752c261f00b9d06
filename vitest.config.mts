import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The @sipcap/* aliases come from tsconfig.base.json, so the tests resolve libs the way tsc and Nx do.
const paths: Record<string, string[]> = JSON.parse(readFileSync('tsconfig.base.json', 'utf8')).compilerOptions.paths;
const alias = Object.fromEntries(Object.entries(paths).map(([name, [file]]) => [name, resolve(file)]));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/**/src/**/*.test.ts', 'apps/**/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          // Integration tests share real servers (Kafka, PostgreSQL, MariaDB, Redis): one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
