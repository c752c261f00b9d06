import { Counter, Gauge, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

/** A metrics snapshot as a worker thread sends it: its registry's getMetricsAsJSON(). */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

type Labels = Record<string, string | number>;

function labelsKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let k = '';
  for (const name of keys) k += `${name}=${labels[name]}\u0000`;
  return k;
}

/**
 * Brings the metrics of workers (decoding threads, hep-agent processes) into the main one's registry (the one /metrics
 * serves). Counters are added up as deltas, so a counter that exists in the main thread too (the
 * publisher's, for instance) keeps counting both; gauges are summed over the workers at scrape time.
 * Histograms and summaries are not carried (the workers have none).
 */
export class WorkerMetricsBridge {
  private readonly lastCounter = new Map<string, number>();
  private readonly gaugeValues = new Map<string, Map<number, MetricValue<string>[]>>();

  constructor(private readonly registry: Registry) {}

  update(worker: number, snapshot: MetricsSnapshot): void {
    for (const m of snapshot) {
      // A labelled metric with no series yet says nothing of its label names: made here now, it would
      // refuse every labelled value later. It is made with its first series.
      if (m.values.length === 0) continue;
      const type = String(m.type);
      if (type === 'counter') this.counter(worker, m);
      else if (type === 'gauge') this.gauge(worker, m);
    }
  }

  private counter(worker: number, m: MetricObjectWithValues<MetricValue<string>>): void {
    const target =
      this.registry.getSingleMetric(m.name) ??
      new Counter({ name: m.name, help: m.help, labelNames: labelNamesOf(m), registers: [this.registry] });
    if (!(target instanceof Counter)) return;
    for (const v of m.values) {
      const labels = (v.labels ?? {}) as Labels;
      const key = `${worker}\u0000${m.name}\u0000${labelsKey(labels)}`;
      const last = this.lastCounter.get(key);
      const delta = last === undefined || v.value < last ? v.value : v.value - last;
      this.lastCounter.set(key, v.value);
      if (delta > 0 || last === undefined) {
        try {
          target.inc(labels, delta);
        } catch {
          // A label set the main metric does not know: leave it out rather than fail the report.
        }
      }
    }
  }

  /**
   * A worker is gone (it will be replaced under the same number): its gauges stop counting, and its
   * replacement's counters start from zero instead of being taken as a reset of the old ones.
   */
  forget(worker: number): void {
    const prefix = `${worker}\u0000`;
    for (const key of this.lastCounter.keys()) if (key.startsWith(prefix)) this.lastCounter.delete(key);
    for (const perWorker of this.gaugeValues.values()) perWorker.delete(worker);
  }

  private gauge(worker: number, m: MetricObjectWithValues<MetricValue<string>>): void {
    let perWorker = this.gaugeValues.get(m.name);
    if (perWorker === undefined) {
      if (this.registry.getSingleMetric(m.name) !== undefined) return; // the main thread owns this one
      perWorker = new Map();
      this.gaugeValues.set(m.name, perWorker);
      const values = perWorker;
      new Gauge({
        name: m.name,
        help: m.help,
        labelNames: labelNamesOf(m),
        registers: [this.registry],
        collect() {
          this.reset();
          for (const list of values.values()) {
            for (const v of list) {
              try {
                this.inc((v.labels ?? {}) as Labels, v.value);
              } catch {
                // unknown label set: skipped
              }
            }
          }
        },
      });
    }
    perWorker.set(worker, m.values);
  }
}

function labelNamesOf(m: MetricObjectWithValues<MetricValue<string>>): string[] {
  const names = new Set<string>();
  for (const v of m.values) for (const k of Object.keys(v.labels ?? {})) names.add(k);
  return [...names];
}
