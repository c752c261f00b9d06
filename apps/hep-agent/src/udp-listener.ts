import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { HepIngest } from './hep-ingest';

/**
 * HEP over UDP. The receive buffer is asked large so bursts wait in the kernel rather than being
 * dropped; Linux caps it at net.core.rmem_max, so the size obtained is logged.
 */
export async function listenUdp(opts: {
  host: string;
  port: number;
  rcvbuf: number;
  ingest: HepIngest;
  log: Logger;
  /** Warn when the kernel caps the buffer (false: at debug level, another worker of the same socket says it). */
  reportBuffer?: boolean;
}): Promise<{ socket: Socket; close(): Promise<void> }> {
  const socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4', reuseAddr: false });
  socket.on('message', (msg) => opts.ingest.ingest(msg, 'udp'));
  socket.on('error', (e) => opts.log.error({ err: e.message }, 'UDP socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(opts.rcvbuf);
  } catch (e) {
    opts.log.warn({ err: (e as Error).message }, 'could not set the UDP receive buffer size');
  }
  const got = socket.getRecvBufferSize();
  // Linux reports twice the usable size; below half the request the kernel cap (rmem_max) was hit.
  if (got < opts.rcvbuf) {
    opts.log[opts.reportBuffer === false ? 'debug' : 'warn'](
      { requested: opts.rcvbuf, obtained: got },
      'UDP receive buffer capped by the kernel; raise it with: sysctl -w net.core.rmem_max=67108864',
    );
  }
  opts.log.info({ listen: `udp://${opts.host}:${opts.port}`, rcvbuf: got }, 'HEP UDP listening');
  return { socket, close: () => new Promise<void>((r) => socket.close(() => r())) };
}
