import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Health } from './health';
import { startTelemetryServer } from './http-server';
import { createLogger } from './logger';
import { createRegistry } from './metrics';
import { onShutdown } from './shutdown';

export interface AppContext {
  log: Logger;
  registry: Registry;
  health: Health;
}

/**
 * The common frame of every sipcap app: structured logger, metrics registry, /metrics and /healthz
 * on METRICS_PORT, and a graceful stop on SIGTERM/SIGINT. `main` wires the app and returns its stop.
 */
export async function startApp(
  app: string,
  opts: { logLevel: string; metricsHost: string; metricsPort: number; node?: string },
  main: (ctx: AppContext) => Promise<() => Promise<void>>,
): Promise<void> {
  const log = createLogger(app, opts.logLevel, opts.node ? { node: opts.node } : {});
  process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));
  const registry = createRegistry(app);
  const health = new Health();
  try {
    const stopApp = await main({ log, registry, health });
    const telemetry = await startTelemetryServer({ host: opts.metricsHost, port: opts.metricsPort, registry, health });
    log.info(
      { metrics: `http://${opts.metricsHost}:${telemetry.port}/metrics`, health: `http://${opts.metricsHost}:${telemetry.port}/healthz` },
      'telemetry listening',
    );
    onShutdown(log, async () => {
      await stopApp();
      await telemetry.close();
    });
  } catch (e) {
    log.fatal({ err: e }, `${app} could not start: ${(e as Error).message}`);
    log.flush?.();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  }
}
