import type { EmulatorClock } from "./clock";
import type { RateLimitSettings } from "./options";

/**
 * Xero's API limits: per tenant 60/minute, 5,000/day and 5 concurrent calls; per app 10,000/minute.
 * Windows slide over the emulator clock. Tenantless calls (GET /connections) count only against
 * the app limit. A refused call does not count.
 */
export type RateLimitProblem = "concurrent" | "minute" | "day" | "appminute";

export type Admission =
  | { readonly admitted: true; readonly headers: Record<string, string>; release(): void }
  | { readonly admitted: false; readonly problem: RateLimitProblem; readonly retryAfterSeconds: number; readonly headers: Record<string, string> };

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;

export class RateLimiter {
  private readonly tenantMinute = new Map<string, number[]>();
  private readonly tenantDay = new Map<string, number[]>();
  private readonly appMinute = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly limits: RateLimitSettings,
    private readonly clock: EmulatorClock,
  ) {}

  /**
   * `X-AppMinLimit-Remaining` for an answer that does not count as a call (a 403 for a tenant the
   * token may not use): every API response to a known app carries it.
   */
  appHeaders(clientId: string): Record<string, string> {
    const app = window(this.appMinute, clientId, this.clock.now().getTime(), MINUTE_MS);
    return { "x-appminlimit-remaining": String(Math.max(0, this.limits.perAppPerMinute - app.length)) };
  }

  /** Admits a call by `clientId`, against `tenantId` when the call is tenant-scoped. */
  admit(clientId: string, tenantId: string | undefined): Admission {
    const now = this.clock.now().getTime();
    const app = window(this.appMinute, clientId, now, MINUTE_MS);
    const minute = tenantId === undefined ? undefined : window(this.tenantMinute, tenantId, now, MINUTE_MS);
    const day = tenantId === undefined ? undefined : window(this.tenantDay, tenantId, now, DAY_MS);
    const running = tenantId === undefined ? 0 : (this.inFlight.get(tenantId) ?? 0);

    const headers = (extra: number): Record<string, string> => ({
      ...(day === undefined ? {} : { "x-daylimit-remaining": String(Math.max(0, this.limits.perTenantPerDay - day.length - extra)) }),
      ...(minute === undefined ? {} : { "x-minlimit-remaining": String(Math.max(0, this.limits.perTenantPerMinute - minute.length - extra)) }),
      "x-appminlimit-remaining": String(Math.max(0, this.limits.perAppPerMinute - app.length - extra)),
    });
    const refuse = (problem: RateLimitProblem, retryAfterSeconds: number): Admission => ({
      admitted: false,
      problem,
      retryAfterSeconds,
      headers: headers(0),
    });

    if (tenantId !== undefined && running >= this.limits.perTenantConcurrent) return refuse("concurrent", 1);
    if (minute !== undefined && minute.length >= this.limits.perTenantPerMinute) return refuse("minute", secondsUntil(minute, now, MINUTE_MS));
    if (day !== undefined && day.length >= this.limits.perTenantPerDay) return refuse("day", secondsUntil(day, now, DAY_MS));
    if (app.length >= this.limits.perAppPerMinute) return refuse("appminute", secondsUntil(app, now, MINUTE_MS));

    const admittedHeaders = headers(1);
    app.push(now);
    minute?.push(now);
    day?.push(now);
    if (tenantId !== undefined) this.inFlight.set(tenantId, running + 1);
    let released = false;
    return {
      admitted: true,
      headers: admittedHeaders,
      release: () => {
        if (released || tenantId === undefined) return;
        released = true;
        this.inFlight.set(tenantId, (this.inFlight.get(tenantId) ?? 1) - 1);
      },
    };
  }
}

/** The calls inside the window ending now, pruned in place. */
function window(store: Map<string, number[]>, key: string, now: number, lengthMs: number): number[] {
  const calls = (store.get(key) ?? []).filter((t) => t > now - lengthMs);
  store.set(key, calls);
  return calls;
}

/** Whole seconds until the oldest call leaves the window (at least 1). */
function secondsUntil(calls: readonly number[], now: number, lengthMs: number): number {
  const oldest = calls[0] ?? now;
  return Math.max(1, Math.ceil((oldest + lengthMs - now) / 1000));
}

/**
 * The token endpoint's limit (an OPEN item, off unless `tokenRateLimitPerMinute` is set): a sliding
 * minute per client id as presented, whether or not it then authenticates, so guessing secrets is
 * limited too. A refused request does not count.
 */
export class TokenEndpointLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(
    readonly perMinute: number,
    private readonly clock: EmulatorClock,
  ) {}

  /** undefined when admitted (and counted); otherwise the whole seconds to wait. */
  admit(clientId: string): { readonly retryAfterSeconds: number } | undefined {
    const now = this.clock.now().getTime();
    const calls = window(this.calls, clientId, now, MINUTE_MS);
    if (calls.length >= this.perMinute) return { retryAfterSeconds: secondsUntil(calls, now, MINUTE_MS) };
    calls.push(now);
    return undefined;
  }
}
