import { Counter, Gauge, type Registry } from 'prom-client';

/** camelCase counter field names to snake_case label values (timedOut -> timed_out). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');
}

/**
 * A Prometheus counter whose values are read, at scrape time, from totals kept as plain numbers by hot
 * code (the decoder counts in object fields; touching prom-client per packet would cost more than the
 * decoding). `read` returns the totals by label value, or one number for an unlabelled counter.
 */
export function totalsCounter(
  registry: Registry,
  name: string,
  help: string,
  read: (() => number) | { label: string; read: () => Record<string, number> },
): Counter {
  if (typeof read === 'function') {
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
  return new Counter({
    name,
    help,
    labelNames: [read.label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of Object.entries(read.read())) this.inc({ [read.label]: snakeCase(value) }, n);
    },
  });
}

/** A gauge read at scrape time. */
export function readGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
