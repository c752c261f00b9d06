import { describe, expect, it } from 'vitest';
import { classifyOpenError } from './capture-start-error';

describe('classifyOpenError', () => {
  it('sorts libpcap messages into permission, missing interface and other', () => {
    expect(classifyOpenError('socket: Operation not permitted')).toBe('no-permission');
    expect(classifyOpenError("eth9: You don't have permission to capture on that device")).toBe('no-permission');
    expect(classifyOpenError('No such device exists')).toBe('no-such-interface');
    expect(classifyOpenError("unknown port in range '1-x'")).toBe('other');
  });
});
