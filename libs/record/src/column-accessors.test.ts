import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLUMNS, STRING_COLUMNS } from './capture-record';
import { columnValues, hasStringColumnValues, stringColumnValues } from './column-accessors.generated';
import { renderColumnAccessors } from './column-accessors.render';
import { sampleRecord } from './sample-record';

const FILE = join(__dirname, 'column-accessors.generated.ts');

describe('column-accessors.generated.ts', () => {
  it('is what the columns render to (UPDATE_GENERATED=1 rewrites it)', () => {
    const rendered = renderColumnAccessors();
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(FILE, rendered);
    expect(readFileSync(FILE, 'utf8')).toBe(rendered);
  });

  it('reads every column in order', () => {
    const r = sampleRecord({ callid: 'c1', node: 'n1' });
    const byName = r as unknown as Record<string, unknown>;
    expect(columnValues(r)).toEqual(COLUMNS.map((c) => byName[c]));
    expect(stringColumnValues(r)).toEqual(STRING_COLUMNS.map((c) => byName[c]));
    expect(hasStringColumnValues(r, stringColumnValues(r))).toBe(true);
    expect(hasStringColumnValues({ ...r, node: 'n2' }, stringColumnValues(r))).toBe(false);
  });
});
