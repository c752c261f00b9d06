import { describe, expect, it } from 'vitest';
import { parseTarget } from './parse-target';

describe('parseTarget', () => {
  it('reads host:port, name:port and [IPv6]:port', () => {
    expect(parseTarget('127.0.0.1:9060')).toEqual({ host: '127.0.0.1', port: 9060 });
    expect(parseTarget('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(parseTarget('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
  });

  it.each(['127.0.0.1', ':9060', '127.0.0.1:0', '127.0.0.1:65536', '::1:9060', 'host:port', 'a b:1'])('refuses %j', (t) => {
    expect(parseTarget(t)).toBeUndefined();
  });
});
