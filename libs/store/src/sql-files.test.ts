import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderSqlFiles } from './ddl';

// sql/*.sql are rendered from ddl.ts; this keeps them from drifting. UPDATE_SQL=1 rewrites them.
const root = resolve(__dirname, '../../..');

describe('sql/ schema files', () => {
  for (const [path, content] of Object.entries(renderSqlFiles())) {
    it(`${path} is the DDL the store runs`, () => {
      const file = resolve(root, path);
      if (process.env.UPDATE_SQL === '1') {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      expect(readFileSync(file, 'utf8')).toBe(content);
    });
  }
});
