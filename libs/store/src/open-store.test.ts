import { describe, it, expect } from 'vitest';
import { openStore } from './open-store';

// Opening does not connect: these check the choice of implementation and the option validation only.
describe('openStore', () => {
  it.each([
    ['postgres://postgres@127.0.0.1:5432/sipcapture', 'postgres'],
    ['postgresql://postgres@127.0.0.1:5432/sipcapture', 'postgres'],
    ['mysql://root@127.0.0.1:3306/sipcapture', 'mysql'],
  ])('%s opens the %s store', async (url, dialect) => {
    const s = await openStore(url);
    expect(s.dialect).toBe(dialect);
    await s.close();
  });

  it.each(['mariadb://root@127.0.0.1/x', 'redis://127.0.0.1:6379', 'not a url'])('rejects %s naming DB_URL', async (url) => {
    await expect(openStore(url)).rejects.toThrow(/DB_URL/);
  });
});
