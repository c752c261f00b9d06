import type { Dialect } from '@sipcap/schema';

/**
 * Bound parameters of one statement: `add` returns the placeholder for a value. PostgreSQL numbers
 * them (`$1`) and one number serves every reference to the same value; MySQL's `?` are positional, so
 * each reference adds the value again.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  private readonly numbered = new Map<string, number>();

  constructor(readonly dialect: Dialect) {}

  add(value: string | number): string {
    if (this.dialect === 'mysql') {
      this.values.push(value);
      return '?';
    }
    const key = `${typeof value}:${value}`;
    let n = this.numbered.get(key);
    if (n === undefined) {
      this.values.push(value);
      n = this.values.length;
      this.numbered.set(key, n);
    }
    return `$${n}`;
  }

  /** `(p1, p2, ...)` for an IN list (never empty: callers check). */
  list(values: readonly string[]): string {
    return `(${values.map((v) => this.add(v)).join(', ')})`;
  }
}
