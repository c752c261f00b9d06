import { describe, expect, it } from 'vitest';
import { isLoopbackHostHeader } from './host-check';

describe('isLoopbackHostHeader', () => {
  it('takes the loopback names with or without a port', () => {
    for (const h of [
      'localhost',
      'LocalHost:8080',
      '127.0.0.1',
      '127.0.0.1:8080',
      '127.1.2.3:1',
      '[::1]',
      '[::1]:8080',
      '[0:0:0:0:0:0:0:1]:80',
    ]) {
      expect(isLoopbackHostHeader(h), h).toBe(true);
    }
  });

  it('refuses every other name: rebinding domains, suffix tricks, other addresses, malformed or missing headers', () => {
    for (const h of [
      undefined,
      '',
      'evil.example',
      'evil.example:8080',
      'localhost.evil.example',
      'localhost.',
      '127.0.0.1.nip.io',
      '127.0.0.1.evil.example',
      '10.0.0.1',
      '0.0.0.0:8080',
      '[::]:8080',
      '[::2]',
      '[::ffff:10.0.0.1]',
      '::1',
      'localhost:0',
      'localhost:99999',
      'localhost:80:80',
      'user@localhost',
      'localhost/x',
      ' localhost',
      'localhost ',
      '127.0.0.1:8080, evil.example',
    ]) {
      expect(isLoopbackHostHeader(h), String(h)).toBe(false);
    }
  });
});
