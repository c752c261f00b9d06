// hep-agent: HEP v1/v2/v3 over UDP, TCP and optionally TLS in; capture records out to Kafka.
import { availableParallelism } from 'node:os';
import { loadConfigOrExit } from '@sipcap/config';
import { AGENT_SETTINGS, runAgent, startAgentRuntime } from '@sipcap/agent';
import { HepIngest } from './hep-ingest';
import { HepStreamLimits } from './hep-stream-limits';
import { listenUdp } from './udp-listener';
import { listenStream } from './tcp-listener';

const APP = 'hep-agent';
const config = loadConfigOrExit(
  APP,
  [
    ...AGENT_SETTINGS,
    'HEP_CAPTURE_ON',
    'HEP_LISTEN',
    'HEP_TLS_LISTEN',
    'HEP_TLS_CERT',
    'HEP_TLS_KEY',
    'HEP_AUTH_KEY',
    'HEP_UDP_RCVBUF',
    'HEP_WORKERS',
    'HEP_TCP_MAX_CONNECTIONS',
    'HEP_TCP_MAX_PER_SOURCE',
    'HEP_TCP_IDLE_TIMEOUT_S',
    'HEP_TCP_PENDING_MB',
    'HEP_TLS_HANDSHAKE_TIMEOUT_MS',
  ],
  { defaults: { METRICS_PORT: '9096' } },
);
if (config.HEP_TLS_LISTEN && !(config.HEP_TLS_CERT && config.HEP_TLS_KEY)) {
  process.stderr.write(`${APP}: invalid setting HEP_TLS_LISTEN: HEP_TLS_CERT and HEP_TLS_KEY must name the certificate and key files\n`);
  process.exit(2);
}
const workers = config.HEP_CAPTURE_ON ? config.HEP_WORKERS || availableParallelism() : 1;

runAgent(APP, config, workers, async ({ log, registry, health, flag, workers, worker }) => {
  if (!config.HEP_CAPTURE_ON) {
    log.warn('HEP_CAPTURE_ON=0: HEP capture is disabled; nothing to do but serve metrics');
    return { stop: async () => undefined };
  }
  let ingest: HepIngest | undefined;
  const runtime = await startAgentRuntime({ app: APP, config, log, registry, health, flag, counters: () => ({ ...ingest?.totals }) });
  ingest = new HepIngest({ publisher: runtime.publisher, reports: runtime.reports, authKey: config.HEP_AUTH_KEY, log, registry });
  const { host, port } = config.HEP_LISTEN;
  // The workers share one socket: its buffer size is said once.
  const udp = await listenUdp({ host, port, rcvbuf: config.HEP_UDP_RCVBUF, ingest, log, reportBuffer: worker === 0 });
  // The workers share the TCP listener (the primary hands each connection to one of them in turn), so
  // the agent's bounds are split among them: together they never hold more than configured.
  const share = (n: number) => Math.max(1, Math.ceil(n / workers));
  const limits = new HepStreamLimits(
    {
      maxPerSource: share(config.HEP_TCP_MAX_PER_SOURCE),
      pendingBytes: Math.floor((config.HEP_TCP_PENDING_MB * 1024 * 1024) / workers),
      idleTimeoutMs: config.HEP_TCP_IDLE_TIMEOUT_S * 1000,
    },
    { registry },
  );
  const stream = { maxConnections: share(config.HEP_TCP_MAX_CONNECTIONS), limits, ingest, log };
  const tcp = await listenStream({ transport: 'tcp', host, port, ...stream });
  const tls = config.HEP_TLS_LISTEN
    ? await listenStream({
        transport: 'tls',
        ...config.HEP_TLS_LISTEN,
        ...stream,
        tls: { cert: config.HEP_TLS_CERT!, key: config.HEP_TLS_KEY!, handshakeTimeoutMs: config.HEP_TLS_HANDSHAKE_TIMEOUT_MS },
      })
    : undefined;
  log.info({ udp: `${host}:${port}`, tcp: `${host}:${port}`, tls: config.HEP_TLS_LISTEN, topic: config.KAFKA_TOPIC }, 'hep-agent ready');

  return {
    runtime,
    async stop() {
      await Promise.all([udp.close(), tcp.close(), tls?.close()]);
      limits.stop();
      await runtime.stop();
    },
  };
});
