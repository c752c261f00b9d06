import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSettingsReference } from './settings-reference';
import { SETTINGS } from './settings';

// docs/settings.md is rendered from settings.ts; this keeps it from drifting. UPDATE_DOCS=1 rewrites it.
const root = resolve(__dirname, '../../..');

describe('docs/settings.md', () => {
  it('is the reference of every setting in the code', () => {
    const content = renderSettingsReference(readFileSync(resolve(__dirname, 'settings.ts'), 'utf8'));
    for (const name of Object.keys(SETTINGS)) expect(content).toContain(`| \`${name}\``);
    const file = resolve(root, 'docs/settings.md');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(file, content);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
