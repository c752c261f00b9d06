import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from './health';

/** GET /metrics (Prometheus text) and GET /healthz (200 or 503 with JSON) on their own port. */
export async function startTelemetryServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  health: Health;
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (e) => res.writeHead(500).end(String(e)),
      );
    } else if (path === '/healthz') {
      opts.health.evaluate().then(
        (h) => res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h)),
        (e) => res.writeHead(503).end(String(e)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('sipcap: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
