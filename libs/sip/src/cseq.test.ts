import { describe, it, expect } from 'vitest';
import { parseCSeq } from './cseq';
import { latin1Text } from './latin1-text';

const cseq = (s: string) => parseCSeq(latin1Text(s), 0, s.length);

describe('parseCSeq', () => {
  it('splits the number and the method', () => {
    expect(cseq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' });
    expect(cseq('1\tREGISTER ')).toEqual({ seq: 1, method: 'REGISTER' });
  });

  it.each(['INVITE', '1', '1INVITE', 'x 1', '12345678901 INVITE', '1 IN VITE'])('rejects %j', (s) => {
    expect(cseq(s)).toBeUndefined();
  });
});
