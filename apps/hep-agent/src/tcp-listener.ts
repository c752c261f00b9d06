import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { HepStreamReader } from '@sipcap/hep';
import type { HepIngest, Transport } from '@sipcap/capture';

/**
 * HEP over TCP (or TLS): each connection is a stream of HEP3 frames. A stream that loses framing is
 * counted and closed; the server keeps serving everyone else.
 */
export async function listenStream(opts: {
  transport: Exclude<Transport, 'udp'>;
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  ingest: HepIngest;
  log: Logger;
}): Promise<{ server: Server; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const reader = new HepStreamReader({
      onFrame: (frame) => opts.ingest.ingest(frame, opts.transport),
      onError: (reason, message) => {
        opts.ingest.streamError(reason);
        opts.log.warn({ peer, reason, detail: message }, 'HEP stream out of sync; closing the connection');
        socket.destroy();
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (e) => opts.log.debug({ peer, err: e.message }, 'HEP connection error'));
    socket.on('close', () => sockets.delete(socket));
  };
  const server = opts.tls
    ? createTlsServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, onConnection)
    : createTcpServer(onConnection);
  server.on('error', (e) => opts.log.error({ err: e.message }, `${opts.transport.toUpperCase()} server error`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  opts.log.info({ listen: `${opts.transport}://${opts.host}:${opts.port}` }, `HEP ${opts.transport.toUpperCase()} listening`);
  return {
    server,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Let clients finish what is in flight, then cut idle connections.
        for (const s of sockets) s.end();
        setTimeout(() => sockets.forEach((s) => s.destroy()), 1000).unref();
      }),
  };
}
