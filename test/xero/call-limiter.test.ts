import { ManualClock } from "../../providers/clock";
import { ConfigError } from "../../providers/errors";
import { createXeroCallLimiter, DEFAULT_DRIFT_CONCURRENCY, XERO_API_LIMITS, type XeroCallLimiterOptions, type XeroCallScope } from "../../providers/xero/call-limiter";
import type { XeroAttempt } from "../../providers/xero/send";
import { fakeClient, ScriptedHttp, tokenOk } from "./fake-http";
import { json } from "./helpers";

const APP = "6E4D953BAAE949D1A1B399307AD58B94";
const OTHER_APP = "0B3E6C1A9D2F4E5A8B7C6D5E4F3A2B1C";
const ORG_A = { clientId: APP, tenantId: "tenant-a" };
const ORG_B = { clientId: APP, tenantId: "tenant-b" };
const TENANTLESS = { clientId: APP };

/** A limiter on a clock that moves only when the test passes time to the limiter's next wake-up. */
function harness(options: Partial<XeroCallLimiterOptions> = {}) {
  const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
  const sleeps: number[] = [];
  const timers: Array<{ at: number; wake: () => void }> = [];
  const limiter = createXeroCallLimiter({
    concurrency: 64,
    clock,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise<void>((wake) => timers.push({ at: clock.now().getTime() + ms, wake }));
    },
    ...options,
  });
  /** Moves the clock to the earliest wake-up the limiter asked for and wakes it. */
  const passTime = async (): Promise<void> => {
    timers.sort((a, b) => a.at - b.at);
    const timer = timers.shift();
    if (timer === undefined) throw new Error("the limiter is not waiting for time to pass");
    clock.advance(Math.max(0, timer.at - clock.now().getTime()));
    timer.wake();
    await settle();
  };
  const started: XeroCallScope[] = [];
  const pending: Array<() => void> = [];
  /** A call that starts (is recorded) and ends when the test says so. */
  const call = (scope: XeroCallScope): Promise<void> =>
    limiter.run(scope, () => {
      started.push(scope);
      return new Promise<void>((resolve) => pending.push(resolve));
    });
  /** Ends the `n` oldest calls still running. */
  const finish = async (n = pending.length): Promise<void> => {
    pending.splice(0, n).forEach((resolve) => resolve());
    await settle();
  };
  return { clock, sleeps, limiter, started, call, finish, pending, passTime };
}

/** Lets every promise that can settle, settle (no timers are involved: the clock is manual). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

const rateLimited = (retryAfterSeconds: number, problem?: string): XeroAttempt => ({
  method: "GET",
  url: "https://api.xero.com/api.xro/2.0/Organisation",
  attempt: 1,
  status: 429,
  retryAfterSeconds,
  rateLimitProblem: problem,
  retryInMs: retryAfterSeconds * 1000,
});

describe("createXeroCallLimiter", () => {
  it("derives the default drift concurrency from the per-app minute limit and a 100 ms round trip", () => {
    expect(DEFAULT_DRIFT_CONCURRENCY).toBe(Math.floor(XERO_API_LIMITS.perAppPerMinute / 600));
    expect(DEFAULT_DRIFT_CONCURRENCY).toBe(16);
  });

  it("refuses a concurrency below 1 with a ConfigError that names the flag", () => {
    expect(() => createXeroCallLimiter({ concurrency: 0 })).toThrow(ConfigError);
    expect(() => createXeroCallLimiter({ concurrency: 0 })).toThrow("concurrency must be a whole number of at least 1, got 0; pass --concurrency N with N >= 1");
  });

  it("refuses a fractional limit override", () => {
    expect(() => createXeroCallLimiter({ concurrency: 1, limits: { perTenantPerMinute: 1.5 } })).toThrow("limits.perTenantPerMinute must be a whole number of at least 1, got 1.5");
  });
});

describe("concurrency", () => {
  it("keeps no more calls in flight than the concurrency asked for", async () => {
    const h = harness({ concurrency: 3 });
    const calls = Array.from({ length: 7 }, (_, i) => h.call({ clientId: APP, tenantId: `tenant-${i}` }));
    await settle();
    expect(h.started).toHaveLength(3);
    await h.finish(2);
    expect(h.started).toHaveLength(5);
    await h.finish();
    await h.finish();
    await Promise.all(calls);
    expect(h.started).toHaveLength(7);
  });

  it("keeps at most 5 calls of one organisation in flight whatever the concurrency", async () => {
    const h = harness({ concurrency: 64 });
    const calls = Array.from({ length: 8 }, () => h.call(ORG_A));
    await settle();
    expect(h.started).toHaveLength(5);
    await h.finish(1);
    expect(h.started).toHaveLength(6);
    await h.finish();
    await h.finish();
    await Promise.all(calls);
  });

  it("lets another organisation's calls pass an organisation that is at its limit", async () => {
    const h = harness({ concurrency: 64 });
    const calls = [...Array.from({ length: 6 }, () => h.call(ORG_A)), h.call(ORG_B)];
    await settle();
    expect(h.started.filter((s) => s.tenantId === "tenant-b")).toHaveLength(1);
    expect(h.started.filter((s) => s.tenantId === "tenant-a")).toHaveLength(5);
    await h.finish();
    await h.finish();
    await Promise.all(calls);
  });

  it("does not hold tenantless calls to the organisation limits", async () => {
    const h = harness({ concurrency: 64 });
    const calls = Array.from({ length: 12 }, () => h.call(TENANTLESS));
    await settle();
    expect(h.started).toHaveLength(12);
    await h.finish();
    await Promise.all(calls);
  });
});

describe("minute windows", () => {
  it("starts an organisation's 61st call of a minute only a minute after the first call ended", async () => {
    const h = harness({ concurrency: 64 });
    const first = h.call(ORG_A);
    await settle();
    h.clock.advance(1_000);
    await h.finish(1);
    await first;
    const endOfFirst = h.clock.now().getTime();
    const rest = Array.from({ length: 60 }, async () => {
      await h.call(ORG_A);
    });
    // 59 more fit the minute (5 at a time); the 61st must wait.
    for (let round = 0; round < 12; round++) await h.finish();
    await h.finish();
    expect(h.started).toHaveLength(60);
    await h.passTime();
    expect(h.started).toHaveLength(61);
    expect(h.clock.now().getTime()).toBe(endOfFirst + 60_000);
    await h.finish();
    await Promise.all(rest);
  });

  it("counts a call from when it ended, so a long call keeps its place in the window", async () => {
    const h = harness({ concurrency: 64, limits: { perTenantPerMinute: 1 } });
    const first = h.call(ORG_A);
    await settle();
    h.clock.advance(90_000);
    const second = h.call(ORG_A);
    await settle();
    // Still running after 90 s: the second call waits for it, whatever the time.
    expect(h.started).toHaveLength(1);
    await h.finish(1);
    await first;
    expect(h.started).toHaveLength(1);
    expect(h.sleeps).toEqual([60_000]);
    await h.passTime();
    expect(h.started).toHaveLength(2);
    await h.finish();
    await second;
  });

  it("holds every call of an app, tenantless ones included, to the app's minute limit", async () => {
    const h = harness({ concurrency: 64, limits: { perAppPerMinute: 3 } });
    const calls = [h.call(TENANTLESS), h.call(ORG_A), h.call(ORG_B), h.call(TENANTLESS), h.call({ clientId: OTHER_APP })];
    await settle();
    expect(h.started).toEqual([TENANTLESS, ORG_A, ORG_B, { clientId: OTHER_APP }]);
    await h.finish();
    expect(h.sleeps).toEqual([60_000]);
    expect(h.started).toHaveLength(4);
    await h.passTime();
    expect(h.started).toHaveLength(5);
    await h.finish();
    await Promise.all(calls);
  });

  it("charges a retried attempt to the windows, as Xero counts it", async () => {
    const h = harness({ concurrency: 64, limits: { perTenantPerMinute: 2 } });
    const first = h.limiter.run(ORG_A, async () => {
      h.limiter.observerFor(ORG_A)({ ...rateLimited(0), status: 503, retryAfterSeconds: undefined, retryInMs: 250 });
      h.limiter.observerFor(ORG_A)({ ...rateLimited(0), status: 200, attempt: 2, retryAfterSeconds: undefined, retryInMs: undefined });
    });
    await first;
    const second = h.call(ORG_A);
    await settle();
    expect(h.started).toHaveLength(0);
    expect(h.sleeps).toEqual([60_000]);
    await h.passTime();
    expect(h.started).toHaveLength(1);
    await h.finish();
    await second;
  });
});

describe("429 answers", () => {
  it("counts a 429 the client reports and holds the organisation until its Retry-After has passed", async () => {
    const h = harness({ concurrency: 64 });
    await h.limiter.run(ORG_A, async () => h.limiter.observerFor(ORG_A)(rateLimited(7)));
    expect(h.limiter.rateLimitedResponses).toBe(1);
    const next = h.call(ORG_A);
    const other = h.call(ORG_B);
    await settle();
    expect(h.started).toEqual([ORG_B]);
    expect(h.sleeps).toEqual([7_000]);
    await h.passTime();
    expect(h.started).toEqual([ORG_B, ORG_A]);
    await h.finish();
    await Promise.all([next, other]);
  });

  it("holds the whole app after a 429 for its app minute limit", async () => {
    const h = harness({ concurrency: 64 });
    await h.limiter.run(ORG_A, async () => h.limiter.observerFor(ORG_A)(rateLimited(3, "appminute")));
    const calls = [h.call(ORG_B), h.call(TENANTLESS), h.call({ clientId: OTHER_APP })];
    await settle();
    expect(h.started).toEqual([{ clientId: OTHER_APP }]);
    expect(h.sleeps).toEqual([3_000]);
    await h.passTime();
    expect(h.started).toEqual([{ clientId: OTHER_APP }, ORG_B, TENANTLESS]);
    await h.finish();
    await Promise.all(calls);
  });

  it("holds an app's tenantless calls after a token endpoint 429", async () => {
    const h = harness({ concurrency: 64 });
    await h.limiter.run(TENANTLESS, async () => h.limiter.observerFor(TENANTLESS)({ ...rateLimited(2), url: "https://identity.xero.com/connect/token", method: "POST" }));
    const next = h.call(TENANTLESS);
    await settle();
    expect(h.started).toHaveLength(0);
    expect(h.sleeps).toEqual([2_000]);
    expect(h.limiter.rateLimitedResponses).toBe(1);
    await h.passTime();
    expect(h.started).toEqual([TENANTLESS]);
    await h.finish();
    await next;
  });

  it("holds only the scope an observer was made for", async () => {
    const h = harness({ concurrency: 64 });
    await h.limiter.run(ORG_A, async () => h.limiter.observerFor(ORG_A)(rateLimited(5)));
    const calls = [h.call(ORG_A), h.call(ORG_B)];
    await settle();
    expect([h.started, h.sleeps]).toEqual([[ORG_B], [5_000]]);
    await h.passTime();
    expect(h.started).toEqual([ORG_B, ORG_A]);
    await h.finish();
    await Promise.all(calls);
  });

  it("learns of the 429s a XeroClient waits out, through the client's observer option for its scope", async () => {
    const http = new ScriptedHttp(json(429, "", { "retry-after": "4" }), tokenOk());
    const h = harness();
    const { client, sleeps } = fakeClient(http, { observer: h.limiter.observerFor(TENANTLESS) });
    const tokens = await h.limiter.run(TENANTLESS, () => client.clientCredentials());
    expect(tokens.accessToken).toBe("access-1");
    expect(sleeps).toEqual([4_000]);
    expect(h.limiter.rateLimitedResponses).toBe(1);
  });

  it("gives a client without an observer the same answers as before", async () => {
    const http = new ScriptedHttp(json(429, "", { "retry-after": "4" }), tokenOk());
    const { client, sleeps } = fakeClient(http);
    expect((await client.clientCredentials()).accessToken).toBe("access-1");
    expect(sleeps).toEqual([4_000]);
  });
});
