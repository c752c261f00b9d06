import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { version } from '../../../package.json';

export { Counter, Gauge, Histogram, Registry };

/**
 * A registry per app with the `app` label, the process metrics under their standard names
 * (`process_*`, `nodejs_*`: what stock Node.js dashboards and alerts look for) and `sipcap_build_info`.
 */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'sipcap_build_info',
    help: 'Always 1; the labels say which sipcap and Node.js run',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version, node: process.version }, 1);
  return registry;
}
