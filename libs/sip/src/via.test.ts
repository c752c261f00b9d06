import { describe, it, expect } from 'vitest';
import { latin1Text } from './latin1-text';
import { viaBranch } from './via';

const branch = (s: string) => viaBranch(latin1Text(s), 0, s.length);

describe('viaBranch', () => {
  it('reads the branch of a via', () => {
    expect(branch('SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds')).toBe('z9hG4bK776asdhds');
    expect(branch('SIP/2.0/TCP [2001:db8::1]:5060;rport;BRANCH=z9hG4bKabc;received=192.0.2.1')).toBe('z9hG4bKabc');
  });

  it('takes the branch of the first via of a multi-value line', () => {
    expect(branch('SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2')).toBe('z9hG4bK1');
  });

  it('does not borrow the branch of the next via when the first has none', () => {
    expect(branch('SIP/2.0/UDP a.example.com;rport, SIP/2.0/UDP b.example.com;branch=z9hG4bK2')).toBe('');
    expect(branch('SIP/2.0/UDP a.example.com, SIP/2.0/UDP b.example.com;branch=z9hG4bK2')).toBe('');
  });

  it('gives an empty string for a via without parameters', () => {
    expect(branch('SIP/2.0/UDP a.example.com')).toBe('');
  });

  it('tells where the branch lies', () => {
    const s = 'SIP/2.0/UDP h:5060;rport;branch=z9hG4bK-1-8;received=192.0.2.1';
    const range = { start: -1, end: -1 };
    expect(viaBranch(latin1Text(s), 0, s.length, range)).toBe('z9hG4bK-1-8');
    expect(s.substring(range.start, range.end)).toBe('z9hG4bK-1-8');
  });
});
