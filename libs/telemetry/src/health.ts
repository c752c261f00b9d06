/**
 * Named health checks: the app is healthy when every check passes. A check returns true, or a string
 * that says what is wrong (shown in the /healthz body).
 */
export type HealthCheck = () => boolean | string | Promise<boolean | string>;

export class Health {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    let ok = true;
    for (const [name, check] of this.checks) {
      let r: boolean | string;
      try {
        r = await check();
      } catch (e) {
        r = (e as Error).message;
      }
      const pass = r === true;
      ok &&= pass;
      checks[name] = pass ? 'ok' : r === false ? 'failing' : String(r);
    }
    return { ok, checks };
  }
}
