import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { CaptureFlag, redisSecurityOptions } from '@sipcap/capture-flag';
import { AgentReporter } from '@sipcap/fleet';
import type { AgentSettings } from './agent-runtime';
import type { CaptureSwitch } from './capture-publisher';

/** The capture switch with its changes, as CaptureFlag (Redis) and a worker's relayed flag give it. */
export interface WatchedSwitch extends CaptureSwitch {
  on(event: 'change', listener: (on: boolean) => void): unknown;
}

export interface AgentControl {
  flag: CaptureFlag;
  /** Starts the fleet report with the agent's totals (read at each report). */
  reportWith(counters: () => Record<string, number>): void;
  stop(): Promise<void>;
}

/**
 * What an agent runs once however many processes decode: the global capture flag from Redis (with its
 * gauges) and the fleet report under the node name.
 */
export async function startAgentControl(opts: {
  app: string;
  config: AgentSettings;
  log: Logger;
  registry: Registry;
}): Promise<AgentControl> {
  const { config: c, log, registry } = opts;
  const redisOptions = redisSecurityOptions(c);
  const captureOn = new Gauge({
    name: 'sipcap_capture_on',
    help: '1 while capture is on (global flag in Redis, or CAPTURE_ON)',
    registers: [registry],
  });
  const redisUp = new Gauge({
    name: 'sipcap_redis_connected',
    help: '1 while the capture-flag connection to Redis is up',
    registers: [registry],
  });
  const flag = new CaptureFlag({
    redisUrl: c.REDIS_URL,
    redisOptions,
    configureKeyspaceEvents: c.REDIS_SET_KEYSPACE_EVENTS,
    key: c.CAPTURE_FLAG_KEY,
    defaultOn: c.CAPTURE_ON,
    log,
    onState: (s) => {
      captureOn.set(s.on ? 1 : 0);
      redisUp.set(s.redisConnected ? 1 : 0);
    },
  });
  await flag.start();
  log.info({ captureOn: flag.isOn(), source: flag.state.source, key: c.CAPTURE_FLAG_KEY }, 'capture flag read');

  let reporter: AgentReporter | undefined;
  return {
    flag,
    reportWith(counters) {
      const r = new AgentReporter({
        redisUrl: c.REDIS_URL,
        redisOptions,
        node: c.CAPTURE_NODE,
        app: opts.app,
        captureOn: () => flag.isOn(),
        counters,
        log,
      });
      reporter = r;
      void r.start();
      // `sipcap status` shows a flip at once, not at the next periodic report.
      flag.on('change', () => void r.report());
    },
    async stop() {
      await reporter?.stop();
      await flag.stop();
    },
  };
}
