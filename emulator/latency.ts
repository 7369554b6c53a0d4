import type { Parsed } from "./admin-input";

/**
 * The fixed time every Xero-facing answer takes (option `latencyMs`, `POST /admin/latency`), so a
 * benchmark sees the network a real Xero has. Admin calls never wait for it.
 */
export class EmulatorLatency {
  private inWait = 0;

  constructor(private current: number) {}

  get ms(): number {
    return this.current;
  }

  /** Applies to requests that arrive from now on; those already waiting keep theirs. */
  set(ms: number): void {
    this.current = ms;
  }

  /** How many requests are waiting out their latency now: a condition tests can poll. */
  get waiting(): number {
    return this.inWait;
  }

  /** Counts a request as waiting until `wait` ends. */
  async during(wait: Promise<void>): Promise<void> {
    this.inWait++;
    try {
      await wait;
    } finally {
      this.inWait--;
    }
  }
}

/**
 * Whole milliseconds (as timers count them) a request still has to wait when its latency of
 * `latencyMs` started at `sinceMs` and it is now `nowMs` (both from one monotonic clock): the latency
 * counts from the request's arrival, so what the emulator spent before the handler waits is part of
 * it instead of coming on top.
 */
export function remainingLatencyMs(latencyMs: number, sinceMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil(sinceMs + latencyMs - nowMs));
}

/** Whether `value` is a latency the emulator can take: whole milliseconds, 0 or more. */
export function isLatencyMs(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

export function parseLatencyInput(body: Record<string, unknown>): Parsed<{ latencyMs: number }> {
  const value = body["latencyMs"];
  if (!isLatencyMs(value)) {
    return { ok: false, message: `latencyMs must be a whole number of milliseconds >= 0 (0 answers at once), got ${JSON.stringify(value)}` };
  }
  return { ok: true, value: { latencyMs: value } };
}
