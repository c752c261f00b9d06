import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import { testKafka } from './kafka';

/**
 * A port free for both TCP and UDP on 127.0.0.1 (the hep-agent binds both on HEP_LISTEN). The port is
 * released before it is returned, so another process could take it meanwhile; tests accept that tiny race.
 */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

/** A UDP client socket that sends datagrams to one port on 127.0.0.1. */
export async function udpClient(port: number): Promise<{ send(b: Buffer): Promise<void>; close(): void; socket: UdpSocket }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    socket,
    send: (b) => new Promise<void>((resolve, reject) => socket.send(b, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    close: () => socket.close(),
  };
}

/** A TCP connection to 127.0.0.1:port; `write` resolves once the bytes are handed to the kernel. */
export async function tcpClient(port: number): Promise<{ write(b: Buffer): Promise<void>; end(): Promise<void>; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  return {
    socket,
    write: (b) => new Promise<void>((resolve, reject) => socket.write(b, (e) => (e ? reject(e) : resolve()))),
    end: () => new Promise<void>((resolve) => socket.end(resolve)),
  };
}

/** Messages in the topic: the sum of the partitions' high-water marks (the topic is the test's own). */
export async function topicMessageCount(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** GET /healthz of an app's telemetry port: the HTTP status. */
export async function healthStatus(metricsPort: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
