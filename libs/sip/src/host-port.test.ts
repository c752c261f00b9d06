import { describe, it, expect } from 'vitest';
import { parseHostPort } from './host-port';

describe('parseHostPort', () => {
  it('splits ip:port', () => {
    expect(parseHostPort('192.0.2.10:5060')).toEqual({ host: '192.0.2.10', port: 5060 });
    expect(parseHostPort(' 192.0.2.10 ')).toEqual({ host: '192.0.2.10', port: 0 });
  });

  it('reads IPv6 in brackets with or without port, and a bare IPv6 address', () => {
    expect(parseHostPort('[2001:db8::7]:5080')).toEqual({ host: '2001:db8::7', port: 5080 });
    expect(parseHostPort('[2001:db8::7]')).toEqual({ host: '2001:db8::7', port: 0 });
    expect(parseHostPort('2001:db8::7')).toEqual({ host: '2001:db8::7', port: 0 });
  });

  it('gives port 0 for a port that is not one', () => {
    expect(parseHostPort('h:70000')).toEqual({ host: 'h', port: 0 });
    expect(parseHostPort('h:50a')).toEqual({ host: 'h', port: 0 });
  });

  it.each(['', '  ', '[]:5060', '[::1]x', ':5060', '[::1'])('rejects %j', (s) => {
    expect(parseHostPort(s)).toBeUndefined();
  });
});
