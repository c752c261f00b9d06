import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { CliFailure, errorText } from '../cli-errors';

/** Sends encoded HEP packets to one target; `send` resolves when the caller may send again. */
export interface HepSender {
  readonly transport: 'udp' | 'tcp';
  /** The resolved address the packets go to. */
  readonly address: string;
  send(packet: Buffer): Promise<void> | void;
  /** Waits for everything to leave, then closes. Throws when a send failed. */
  close(): Promise<void>;
  /** Sends the kernel refused (UDP: e.g. ECONNREFUSED from an earlier ICMP port unreachable). */
  readonly errors: number;
}

/** Datagrams handed to the kernel but not yet confirmed; above this the replay waits (no unbounded queue). */
const UDP_MAX_PENDING = 256;

/** Resolves HOST once (replay sends thousands of packets to it). */
async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const r = await lookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch (e) {
    throw new CliFailure(`cannot resolve ${host}: ${errorText(e)}; give --to an IP address or a name this machine resolves`);
  }
}

export async function openUdpSender(host: string, port: number): Promise<HepSender> {
  const { address, family } = await resolve(host);
  const socket: UdpSocket = createSocket(family === 6 ? 'udp6' : 'udp4');
  socket.on('error', () => undefined); // send errors are counted through the callbacks
  await new Promise<void>((ok, fail) => {
    socket.once('error', fail);
    socket.connect(port, address, () => {
      socket.off('error', fail);
      ok();
    });
  });
  let pending = 0;
  let errors = 0;
  let firstError: unknown;
  let wake: (() => void) | undefined;
  const done = (err: Error | null): void => {
    pending--;
    if (err) {
      errors++;
      firstError ??= err;
    }
    if (wake && pending < UDP_MAX_PENDING / 2) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  return {
    transport: 'udp',
    address: `${address}:${port}`,
    get errors() {
      return errors;
    },
    send(packet) {
      pending++;
      socket.send(packet, done);
      if (pending >= UDP_MAX_PENDING) return new Promise<void>((ok) => (wake = ok));
    },
    async close() {
      while (pending > 0) await new Promise<void>((ok) => (wake = ok));
      socket.close();
      if (errors > 0) {
        throw new CliFailure(
          `${errors} HEP datagram${errors === 1 ? '' : 's'} to ${address}:${port} failed (${errorText(firstError)}); is a HEP receiver listening there (hep-agent: HEP_LISTEN)?`,
        );
      }
    },
  };
}

export async function openTcpSender(host: string, port: number, connectTimeoutMs = 5000): Promise<HepSender> {
  const { address } = await resolve(host);
  const socket: Socket = connect({ host: address, port, noDelay: false });
  let failure: unknown;
  socket.on('error', (e) => (failure ??= e));
  try {
    await Promise.race([
      once(socket, 'connect'),
      new Promise((_, fail) => setTimeout(() => fail(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs).unref()),
    ]);
  } catch (e) {
    socket.destroy();
    throw new CliFailure(
      `cannot connect to ${address}:${port} over TCP: ${errorText(failure ?? e)}; is a HEP receiver listening there (hep-agent: HEP_LISTEN)?`,
    );
  }
  const broken = (): CliFailure => new CliFailure(`the TCP connection to ${address}:${port} failed: ${errorText(failure)}`);
  return {
    transport: 'tcp',
    address: `${address}:${port}`,
    errors: 0,
    async send(packet) {
      if (failure !== undefined || socket.destroyed) throw broken();
      if (!socket.write(packet)) {
        await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
        if (failure !== undefined) throw broken();
      }
    },
    async close() {
      if (failure !== undefined) {
        socket.destroy();
        throw broken();
      }
      // end() sends FIN after every written byte; the receiver closes its side when it has read them all.
      // Once flushed to the kernel the data is delivered even if the receiver keeps its side open, so
      // after a short wait for its close the socket is simply destroyed.
      const closed = once(socket, 'close');
      await new Promise<void>((ok) => socket.end(ok));
      const timer = setTimeout(() => socket.destroy(), 2000);
      await closed;
      clearTimeout(timer);
      if (failure !== undefined) throw broken();
    },
  };
}
