import { systemClock, type Clock } from "../clock";
import { ConfigError } from "../errors";
import { realSleep, type XeroAttempt, type XeroAttemptObserver } from "./send";

/**
 * Client-side pacing of calls to Xero, so a run with any `--concurrency` stays inside Xero's API
 * limits (xero-platform.md, "Limits") instead of learning them from 429s:
 * - per organisation: at most 5 calls in flight and 60 started in any minute (tenant-scoped calls);
 * - per app: at most 10,000 calls in any minute (every call, tenantless ones included);
 * - a 429 (from the API, or from the token endpoint, whose limits are unpublished) stops new calls
 *   in its scope until its `Retry-After` has passed, and is counted.
 *
 * The client already waits out a 429 before its own next attempt (retry.ts); the limiter learns of
 * it through {@link XeroCallLimiter.observerFor}, which each XeroClient whose calls run through the
 * limiter must be given for the scope its calls run in
 * (`new XeroClient({ ..., observer: limiter.observerFor({ clientId }) })`).
 */
export interface XeroCallScope {
  readonly clientId: string;
  /** No tenantId: a tenantless call (token endpoint, GET /connections). */
  readonly tenantId?: string;
}

export interface XeroCallLimiter {
  /** Runs `call` once the scope's limits and the concurrency allow, and counts it against them. */
  run<T>(scope: XeroCallScope, call: () => Promise<T>): Promise<T>;
  /** 429 answers seen and honoured (waited out) so far. */
  readonly rateLimitedResponses: number;
  /**
   * Give this to a XeroClient whose calls go through {@link run} with `scope`: it reports each
   * attempt's outcome there. Scoped by the caller rather than found from the call in flight: an
   * async context for that (AsyncLocalStorage) puts a hook on every promise the process makes, and
   * cost a drift run a sixth of its CPU.
   */
  observerFor(scope: XeroCallScope): XeroAttemptObserver;
}

/** Xero's published API limits. */
export interface XeroApiLimits {
  readonly perTenantConcurrent: number;
  readonly perTenantPerMinute: number;
  readonly perAppPerMinute: number;
}

export const XERO_API_LIMITS: XeroApiLimits = Object.freeze({ perTenantConcurrent: 5, perTenantPerMinute: 60, perAppPerMinute: 10_000 });

/**
 * The shortest round trip assumed for a call to Xero from anywhere (an assumption, not a published
 * number): with it, the per-app minute limit says how many calls of one app can usefully be in flight.
 */
const MIN_ROUND_TRIP_MS = 100;

/**
 * The drift command's default `--concurrency`: the calls one app can keep in flight without
 * outrunning its own minute limit. 10,000 a minute is about 167 calls a second; at a round trip of
 * at least 100 ms, 16 calls in flight reach that rate, so more would only queue in the limiter when
 * every document belongs to one app. Organisations are further held to 5 each by the limiter itself.
 */
export const DEFAULT_DRIFT_CONCURRENCY: number = Math.floor((XERO_API_LIMITS.perAppPerMinute / 60_000) * MIN_ROUND_TRIP_MS);

const MINUTE_MS = 60_000;

export interface XeroCallLimiterOptions {
  /** Calls in flight at most, over every app and organisation. */
  readonly concurrency: number;
  /** @default XERO_API_LIMITS */
  readonly limits?: Partial<XeroApiLimits>;
  readonly clock?: Clock;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A call counted in a minute window: in flight until `at` is set to when it ended. */
interface WindowEntry {
  at: number;
}

interface Waiter {
  readonly scope: XeroCallScope;
  readonly admit: (entries: readonly WindowEntry[]) => void;
}

export function createXeroCallLimiter(options: XeroCallLimiterOptions): XeroCallLimiter {
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`concurrency must be a whole number of at least 1, got ${String(concurrency)}; pass --concurrency N with N >= 1`);
  }
  const limits = { ...XERO_API_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`limits.${name} must be a whole number of at least 1, got ${String(value)}`);
  }
  return new SlidingWindowLimiter(concurrency, limits, options.clock ?? systemClock, options.sleep ?? realSleep);
}

class SlidingWindowLimiter implements XeroCallLimiter {
  private rateLimited = 0;
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private readonly tenantInFlight = new Map<string, number>();
  private readonly tenantMinute = new Map<string, WindowEntry[]>();
  private readonly appMinute = new Map<string, WindowEntry[]>();
  /** `app:<clientId>` or `tenant:<tenantId>` → when a 429's Retry-After ends (ms). */
  private readonly blockedUntil = new Map<string, number>();
  private wakeAt: number | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly limits: XeroApiLimits,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  get rateLimitedResponses(): number {
    return this.rateLimited;
  }

  observerFor(scope: XeroCallScope): XeroAttemptObserver {
    return (attempt) => this.observe(scope, attempt);
  }

  async run<T>(scope: XeroCallScope, call: () => Promise<T>): Promise<T> {
    const entries = await new Promise<readonly WindowEntry[]>((admit) => {
      this.queue.push({ scope, admit });
      this.pump();
    });
    try {
      return await call();
    } finally {
      const endedAt = this.now();
      for (const entry of entries) entry.at = endedAt;
      this.inFlight--;
      if (scope.tenantId !== undefined) this.tenantInFlight.set(scope.tenantId, (this.tenantInFlight.get(scope.tenantId) ?? 1) - 1);
      this.pump();
    }
  }

  private observe(scope: XeroCallScope, attempt: XeroAttempt): void {
    const now = this.now();
    // A retry is another request Xero counts: it goes into the windows (it was not admitted, it is charged).
    if (attempt.attempt > 1) this.entriesFor(scope).forEach((entries) => entries.push({ at: now }));
    if (attempt.status !== 429) return;
    const waitMs = attempt.retryInMs ?? (attempt.retryAfterSeconds ?? 0) * 1000;
    const key = scope.tenantId === undefined || attempt.rateLimitProblem === "appminute" ? `app:${scope.clientId}` : `tenant:${scope.tenantId}`;
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, now + waitMs));
    // Counted once the scope is held back for it; when the client gives up instead, the limiter still holds the scope.
    this.rateLimited++;
  }

  /** Admits every waiter the limits allow now, in order, and sets a wake-up for the earliest one time will free. */
  private pump(): void {
    const now = this.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queue.length && this.inFlight < this.concurrency; ) {
      const waiter = this.queue[i] as Waiter;
      const verdict = this.admissible(waiter.scope, now);
      if (verdict === true) {
        this.queue.splice(i, 1);
        waiter.admit(this.admit(waiter.scope));
        continue;
      }
      if (verdict !== undefined) wakeAt = Math.min(wakeAt, verdict);
      i++;
    }
    if (this.queue.length > 0 && Number.isFinite(wakeAt)) this.wakeUpAt(wakeAt, now);
  }

  private wakeUpAt(at: number, now: number): void {
    if (this.wakeAt !== undefined && this.wakeAt <= at) return;
    this.wakeAt = at;
    void this.sleep(Math.max(1, at - now)).then(() => {
      if (this.wakeAt === at) this.wakeAt = undefined;
      this.pump();
    });
  }

  /** true: may start now; a number: not before then; undefined: once a call in flight ends. */
  private admissible(scope: XeroCallScope, now: number): true | number | undefined {
    const blocked = Math.max(this.blockedUntil.get(`app:${scope.clientId}`) ?? 0, scope.tenantId === undefined ? 0 : (this.blockedUntil.get(`tenant:${scope.tenantId}`) ?? 0));
    if (blocked > now) return blocked;
    if (scope.tenantId !== undefined && (this.tenantInFlight.get(scope.tenantId) ?? 0) >= this.limits.perTenantConcurrent) return undefined;
    let until: number | true = true;
    const [app, tenant] = this.windows(scope, now);
    for (const [entries, limit] of [[app, this.limits.perAppPerMinute], [tenant, this.limits.perTenantPerMinute]] as const) {
      if (entries === undefined || entries.length < limit) continue;
      const freedAt = whenRoomIn(entries, limit);
      if (freedAt === undefined) return undefined;
      until = until === true ? freedAt : Math.max(until, freedAt);
    }
    return until;
  }

  private admit(scope: XeroCallScope): WindowEntry[] {
    this.inFlight++;
    if (scope.tenantId !== undefined) this.tenantInFlight.set(scope.tenantId, (this.tenantInFlight.get(scope.tenantId) ?? 0) + 1);
    // In flight counts as "now" for ever, until it ends: a minute is counted from a call's end, the
    // latest Xero can have counted it, so our minute never ends before Xero's does.
    return this.entriesFor(scope).map((entries) => {
      const entry = { at: Number.POSITIVE_INFINITY };
      entries.push(entry);
      return entry;
    });
  }

  private entriesFor(scope: XeroCallScope): WindowEntry[][] {
    const app = listIn(this.appMinute, scope.clientId);
    return scope.tenantId === undefined ? [app] : [app, listIn(this.tenantMinute, scope.tenantId)];
  }

  /** The app's and the organisation's minute windows, pruned of calls that ended a minute ago or more. */
  private windows(scope: XeroCallScope, now: number): [WindowEntry[], WindowEntry[] | undefined] {
    const prune = (store: Map<string, WindowEntry[]>, key: string): WindowEntry[] => {
      const kept = (store.get(key) ?? []).filter((entry) => entry.at > now - MINUTE_MS);
      store.set(key, kept);
      return kept;
    };
    return [prune(this.appMinute, scope.clientId), scope.tenantId === undefined ? undefined : prune(this.tenantMinute, scope.tenantId)];
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function listIn(store: Map<string, WindowEntry[]>, key: string): WindowEntry[] {
  let list = store.get(key);
  if (list === undefined) {
    list = [];
    store.set(key, list);
  }
  return list;
}

/** When enough ended calls leave the window for one more to start; undefined if calls in flight must end first. */
function whenRoomIn(entries: readonly WindowEntry[], limit: number): number | undefined {
  const ended = entries.map((entry) => entry.at).filter(Number.isFinite).sort((a, b) => a - b);
  const mustLeave = entries.length - limit + 1;
  const last = ended[mustLeave - 1];
  return last === undefined ? undefined : last + MINUTE_MS;
}
