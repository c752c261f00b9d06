// mirror-agent: raw capture of a mirror (SPAN) port or a pcap/pcapng file; SIP packets by port, out to Kafka.
import { join } from 'node:path';
import { describeConfig, loadConfigOrExit } from '@sipcap/config';
import { startApp } from '@sipcap/telemetry';
import { RAW_AGENT_SETTINGS, rawSettingsProblem, startRawAgent } from '@sipcap/raw-capture';

const APP = 'mirror-agent';
const config = loadConfigOrExit(APP, RAW_AGENT_SETTINGS, { defaults: { METRICS_PORT: '9099' } });
const problem = rawSettingsProblem('mirror', config);
if (problem !== undefined) {
  process.stderr.write(`${APP}: ${problem}\n`);
  process.exit(2);
}

void startApp(
  APP,
  { logLevel: config.LOG_LEVEL, metricsHost: config.METRICS_HOST, metricsPort: config.METRICS_PORT, node: config.CAPTURE_NODE },
  async ({ log, registry, health }) => {
    log.info({ config: describeConfig(config) }, 'starting');
    // RAW_SOCK_CHILDREN > 1: decode.worker.ts is bundled next to this file.
    return startRawAgent({ app: APP, mode: 'mirror', config, log, registry, health, workerFile: join(__dirname, 'decode.worker.js') });
  },
);
