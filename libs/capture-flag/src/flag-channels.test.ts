import { describe, it, expect } from 'vitest';
import { changedChannel, keyspaceChannel } from './flag-channels';

describe('flag channels', () => {
  it('names the keyspace channel of the key in its database', () => {
    expect(keyspaceChannel(0, 'capture_on')).toBe('__keyspace@0__:capture_on');
    expect(keyspaceChannel(3, 'a:b')).toBe('__keyspace@3__:a:b');
  });

  it('names the fallback channel after the key', () => {
    expect(changedChannel('capture_on')).toBe('capture_on:changed');
  });
});
