/**
 * How long to wait before reconnect attempt `attempt` (1, 2, ...): doubling from 100 ms, capped at
 * `maxMs`, less up to 20% of jitter so a fleet of agents does not reconnect to a restarted Redis in step.
 */
export function reconnectDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 100 * 2 ** Math.min(Math.max(attempt, 1) - 1, 20));
  return Math.round(base * (1 - 0.2 * random()));
}
