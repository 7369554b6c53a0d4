/** The time source every decision takes as a parameter, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move: for tests and benchmarks. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date = new Date("2026-01-01T00:00:00Z")) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * RFC 3339 UTC without fractional seconds, as Terraform's `timecmp` and people read it. `"up"`
 * rounds a fraction up, so a due time never lands before the instant it was computed from.
 */
export function formatRfc3339(at: Date, round: "down" | "up" = "down"): string {
  const seconds = round === "up" ? Math.ceil(at.getTime() / 1000) : Math.floor(at.getTime() / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Parses an RFC 3339 output; undefined for "" or an unreadable value. */
export function parseRfc3339(at: string): Date | undefined {
  if (at === "") return undefined;
  const time = Date.parse(at);
  return Number.isNaN(time) ? undefined : new Date(time);
}
