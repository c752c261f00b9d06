import { describe, it, expect } from 'vitest';
import { withKeyspaceFlags } from './keyspace-events';

describe('withKeyspaceFlags', () => {
  it('enables keyspace events for set, generic and expired when none are on', () => {
    const v = withKeyspaceFlags('');
    expect(v).not.toBeNull();
    expect([...v!].sort()).toEqual(['$', 'K', 'g', 'x'].sort());
  });

  it('keeps what the operator enabled and adds only what is missing', () => {
    expect(withKeyspaceFlags('Ex')).toBe('Ex' + 'K$g');
    expect(withKeyspaceFlags('KA')).toBeNull();
    expect(withKeyspaceFlags('AE')).toBe('AEK');
    expect(withKeyspaceFlags('K$gx')).toBeNull();
    expect(withKeyspaceFlags('gxK')).toBe('gxK$');
  });
});
