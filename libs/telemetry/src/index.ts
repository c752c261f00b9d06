export { createLogger, type Logger } from './logger';
export { createRegistry, Counter, Gauge, Histogram, Registry } from './metrics';
export { Health, type HealthCheck } from './health';
export { startTelemetryServer } from './http-server';
export { onShutdown } from './shutdown';
export { startApp, type AppContext } from './app';
export { WorkerMetricsBridge, type MetricsSnapshot } from './worker-metrics-bridge';
