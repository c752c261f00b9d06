import cluster from 'node:cluster';
import { describeConfig } from '@sipcap/config';
import { startApp } from '@sipcap/telemetry';
import type { AgentSettings } from './agent-runtime';
import { runAgentWorker, type AgentBody } from './agent-worker';
import { startAgentPrimary } from './agent-workers';

/**
 * Runs a capture agent: in this process when `workers` is 1; otherwise as a primary (flag, fleet report,
 * /metrics and /healthz) and `workers` forked processes that each run `body` on the shared sockets.
 */
export function runAgent(app: string, config: AgentSettings, workers: number, body: AgentBody): void {
  if (cluster.isWorker) {
    void runAgentWorker(app, { logLevel: config.LOG_LEVEL, node: config.CAPTURE_NODE, workers }, body);
    return;
  }
  const telemetry = {
    logLevel: config.LOG_LEVEL,
    metricsHost: config.METRICS_HOST,
    metricsPort: config.METRICS_PORT,
    node: config.CAPTURE_NODE,
  };
  void startApp(app, telemetry, async (ctx) => {
    ctx.log.info({ config: describeConfig(config), workers }, 'starting');
    if (workers <= 1) {
      const instance = await body({ ...ctx, workers: 1, worker: 0 });
      return () => instance.stop();
    }
    const primary = await startAgentPrimary({
      app,
      config,
      workers,
      ...ctx,
      onFatal: (err) => {
        ctx.log.fatal({ err: err.message }, `${app} cannot go on: ${err.message}`);
        void primary.stop().finally(() => process.exit(1));
      },
    });
    return () => primary.stop();
  });
}
