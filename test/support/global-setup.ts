// Integration tests need the real servers; fail fast with a clear message when one is absent.
import { checkServers } from './servers';

export default async function setup(): Promise<void> {
  await checkServers();
}
