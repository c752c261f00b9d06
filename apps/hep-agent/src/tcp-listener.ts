import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { HepStreamReader } from '@sipcap/hep';
import type { HepIngest, Transport } from './hep-ingest';
import type { HepStreamLimits, LimitedConnection } from './hep-stream-limits';

/**
 * HEP over TCP (or TLS): each connection is a stream of HEP3 frames. A stream that loses framing is
 * counted and closed; the server keeps serving everyone else. Bounded: `maxConnections` per server, the
 * shared limits per source address, idle timeout and pending bytes, and a TLS handshake timeout.
 */
export async function listenStream(opts: {
  transport: Exclude<Transport, 'udp'>;
  host: string;
  port: number;
  tls?: { cert: string; key: string; handshakeTimeoutMs: number };
  maxConnections: number;
  limits: HepStreamLimits;
  ingest: HepIngest;
  log: Logger;
}): Promise<{ server: Server; connections: () => number; close(): Promise<void> }> {
  const { transport, limits } = opts;
  const sockets = new Set<Socket>();
  let warned = 0;
  const warnOnce = (obj: object, msg: string) => {
    if (warned < 20) {
      warned++;
      opts.log.warn(obj, msg);
    }
  };

  // The per-source cap, on the raw TCP connection: for TLS before the handshake, so a handshake flood counts too.
  const onRawConnection = (raw: Socket) => {
    const source = raw.remoteAddress ?? '';
    if (!limits.admit(source, transport)) {
      warnOnce({ source, transport }, 'HEP connection refused: HEP_TCP_MAX_PER_SOURCE reached for this source');
      raw.destroy();
      return;
    }
    raw.once('close', () => limits.leave(source, transport));
  };

  const onConnection = (socket: Socket) => {
    if (socket.destroyed) return;
    sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const conn: LimitedConnection = {
      lastFrameAt: 0,
      close: (reason) => {
        limits.closed(transport, reason);
        opts.log.debug({ peer, reason }, 'HEP connection closed by the agent');
        socket.destroy();
      },
    };
    const reader = new HepStreamReader(
      {
        onFrame: (frame) => {
          conn.lastFrameAt = Date.now();
          opts.ingest.ingest(frame, transport);
        },
        onError: (reason, message) => {
          if (reason === 'memory_budget') {
            warnOnce({ peer, detail: message }, 'HEP_TCP_PENDING_MB reached; closing the connection');
            conn.close('memory_budget');
            return;
          }
          opts.ingest.streamError(reason);
          opts.log.warn({ peer, reason, detail: message }, 'HEP stream out of sync; closing the connection');
          socket.destroy();
        },
      },
      limits.budget,
    );
    limits.watch(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (e) => opts.log.debug({ peer, err: e.message }, 'HEP connection error'));
    socket.on('close', () => {
      sockets.delete(socket);
      limits.forget(conn);
      reader.close();
    });
  };

  let server: Server;
  if (opts.tls) {
    const tlsServer = createTlsServer(
      { cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key), handshakeTimeout: opts.tls.handshakeTimeoutMs },
      onConnection,
    );
    tlsServer.on('tlsClientError', (err: Error & { code?: string }, s: TLSSocket) => {
      const reason = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'handshake_timeout' : 'tls_error';
      limits.closed(transport, reason);
      opts.log.debug({ peer: `${s.remoteAddress}:${s.remotePort}`, reason, err: err.message }, 'HEP TLS handshake failed');
      s.destroy();
    });
    server = tlsServer;
  } else {
    server = createTcpServer(onConnection);
  }
  // 'connection' listeners run in order: the TLS server's own (which wraps the socket) came first.
  server.on('connection', onRawConnection);
  server.maxConnections = opts.maxConnections;
  server.on('drop', (d) => {
    limits.refused(transport, 'max_connections');
    warnOnce({ source: d?.remoteAddress, transport, max: opts.maxConnections }, 'HEP connection refused: HEP_TCP_MAX_CONNECTIONS reached');
  });
  server.on('error', (e) => opts.log.error({ err: e.message }, `${transport.toUpperCase()} server error`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  opts.log.info(
    { listen: `${transport}://${opts.host}:${opts.port}`, maxConnections: opts.maxConnections },
    `HEP ${transport.toUpperCase()} listening`,
  );
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
