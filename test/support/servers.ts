import { connect } from 'node:net';

/** The real servers the integration tests talk to, and where to reach them. */
export const SERVERS = {
  kafka: { host: '127.0.0.1', port: Number(process.env.KAFKA_PORT ?? 9092), hint: 'start it with: bash scripts/kafka.sh start' },
  postgres: { host: '127.0.0.1', port: 5432, hint: 'start it with: bash scripts/services.sh' },
  mariadb: { host: '127.0.0.1', port: 3306, hint: 'start it with: bash scripts/services.sh' },
  redis: { host: '127.0.0.1', port: 6379, hint: 'start it with: bash scripts/services.sh' },
} as const;

export function reachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function checkServers(): Promise<void> {
  const missing: string[] = [];
  for (const [name, s] of Object.entries(SERVERS)) {
    if (!(await reachable(s.host, s.port))) missing.push(`${name} is not reachable on ${s.host}:${s.port} (${s.hint})`);
  }
  if (missing.length) throw new Error(`integration tests need the real servers:\n  ${missing.join('\n  ')}`);
}
