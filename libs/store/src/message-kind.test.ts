import { describe, expect, it } from 'vitest';
import { messageKind } from './message-kind';

describe('messageKind', () => {
  it.each([
    ['1 INVITE', 'call'],
    ['2 ACK', 'call'],
    ['3 BYE', 'call'],
    ['1 CANCEL', 'call'],
    ['4 PRACK', 'call'],
    ['5 UPDATE', 'call'],
    ['6 INFO', 'call'],
    ['7 REFER', 'call'],
    ['1 register', 'registration'],
    ['10 REGISTER', 'registration'],
    ['1 OPTIONS', 'rest'],
    ['1 NOTIFY', 'rest'],
    ['1 SUBSCRIBE', 'rest'],
    ['1 MESSAGE', 'rest'],
    ['1 PUBLISH', 'rest'],
    ['', 'rest'],
    ['garbage', 'rest'],
  ])('%s is %s', (cseq, kind) => {
    expect(messageKind(cseq)).toBe(kind);
  });
});
