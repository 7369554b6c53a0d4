import { startEmulator, type RequestLogEntry, type RunningEmulator } from "../../emulator";
import { EmulatorClock } from "../../emulator/clock";
import type { Clock } from "../../providers/clock";
import { createXeroCallLimiter, type XeroCallLimiter } from "../../providers/xero/call-limiter";
import { XeroClient } from "../../providers/xero/client";
import { axiosTransport, type HttpRequest, type HttpTransport, type RawResponse } from "../../providers/xero/http";
import { Redactor } from "../../providers/xero/redact";
import { bearerRequest } from "../../providers/xero/requests";
import { retryPolicy } from "../../providers/xero/retry";
import { sendWithRetries, type SendContext } from "../../providers/xero/send";

/**
 * The limiter against the real emulator, over real HTTP. One clock for both: the emulator's, moved
 * only when the limiter or the client sleeps (see virtualTime), so a minute window costs no real
 * minute and nothing depends on how fast the machine is. The emulator's small real latency makes
 * calls overlap.
 */
const CALLS = 200;
const CONCURRENCY = 64;

interface Sent {
  readonly request: HttpRequest;
  readonly sentAtMs: number;
  status?: number;
  answeredAtMs?: number;
  retryAfterSeconds?: number;
}

/**
 * Shared virtual time: the emulator's clock, moved only by sleeps, and a sleep ends only when no
 * HTTP call is in flight (the earliest sleeper first), as time would pass for calls that take no time.
 */
function virtualTime(startMs: number) {
  let nowMs = startMs;
  let inFlight = 0;
  const sleepers: Array<{ untilMs: number; wake: () => void }> = [];
  const emulatorClock = new EmulatorClock(undefined, () => nowMs);
  const clock: Clock = { now: () => emulatorClock.now() };
  const advanceWhenIdle = (): void => {
    setImmediate(() => {
      if (inFlight > 0 || sleepers.length === 0) return;
      sleepers.sort((a, b) => a.untilMs - b.untilMs);
      const next = sleepers.shift();
      if (next === undefined) return;
      nowMs = Math.max(nowMs, next.untilMs);
      next.wake();
      advanceWhenIdle();
    });
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      sleepers.push({ untilMs: emulatorClock.now().getTime() + ms, wake });
      advanceWhenIdle();
    });
  const callStarted = (): void => {
    inFlight++;
  };
  const callEnded = (): void => {
    inFlight--;
    advanceWhenIdle();
  };
  return { emulatorClock, clock, sleep, callStarted, callEnded };
}

/** The real transport, recording every attempt on the shared clock and the most in flight at once. */
function recordingTransport(time: ReturnType<typeof virtualTime>) {
  const inner = axiosTransport();
  const sent: Sent[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const transport: HttpTransport = async (request) => {
    const entry: Sent = { request, sentAtMs: time.clock.now().getTime() };
    sent.push(entry);
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    time.callStarted();
    try {
      const response: RawResponse = await inner(request);
      entry.status = response.status;
      entry.answeredAtMs = time.clock.now().getTime();
      const retryAfter = response.headers["retry-after"];
      if (retryAfter !== undefined) entry.retryAfterSeconds = Number(retryAfter);
      return response;
    } finally {
      inFlight--;
      time.callEnded();
    }
  };
  return { transport, sent, mostInFlight: () => mostInFlight };
}

/** Every 429 was waited out: the same request's next attempt went no sooner than its Retry-After allowed. */
function unhonoured429s(sent: readonly Sent[]): Sent[] {
  return sent.filter((entry, i) => {
    if (entry.status !== 429) return false;
    const next = sent.slice(i + 1).find((later) => later.request === entry.request);
    return next === undefined || next.sentAtMs < (entry.answeredAtMs ?? 0) + (entry.retryAfterSeconds ?? 0) * 1000;
  });
}

function rateLimitRefusals(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((entry) => entry.status === 429 && entry.fault === undefined);
}

describe("the call limiter against the emulator", () => {
  let emulator: RunningEmulator;
  let time: ReturnType<typeof virtualTime>;
  let clientId: string;
  let clientSecret: string;
  let tenantId: string;

  beforeEach(async () => {
    time = virtualTime(Date.parse("2026-06-01T00:00:00Z"));
    emulator = await startEmulator({ latencyMs: 2 }, { clock: time.emulatorClock });
    tenantId = (await emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Reporting", scopes: ["accounting.settings.read"] });
    clientId = app.clientId;
    clientSecret = app.clientSecret ?? "";
    await emulator.admin.link(clientId, tenantId);
  });
  afterEach(async () => {
    await emulator.close();
  });

  function clientFor(limiter: XeroCallLimiter, transport: HttpTransport): XeroClient {
    return new XeroClient({
      clientId,
      clientSecret,
      env: {},
      endpoints: { identityUrl: emulator.identityUrl, apiUrl: emulator.apiUrl, loginUrl: emulator.loginUrl },
      http: transport,
      clock: time.clock,
      sleep: time.sleep,
      // The client's only call here is the tenantless token request.
      observer: limiter.observerFor({ clientId }),
    });
  }

  it("keeps 200 calls to one organisation at concurrency 64 inside its limits, and waits out every 429", async () => {
    const limiter = createXeroCallLimiter({ concurrency: CONCURRENCY, clock: time.clock, sleep: time.sleep });
    const recorder = recordingTransport(time);
    const tokens = await limiter.run({ clientId }, () => clientFor(limiter, recorder.transport).clientCredentials());
    // Three 429s the limits do not explain (Xero's own reasons): each must be waited out and counted.
    await emulator.admin.injectFault({ path: "/api/api.xro/2.0/Organisation", status: 429, count: 3 });
    const context: SendContext = {
      transport: recorder.transport,
      policy: retryPolicy(),
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
      observer: limiter.observerFor({ clientId, tenantId }),
    };
    const organisation = (): Promise<number> =>
      limiter.run({ clientId, tenantId }, async () => {
        const request = bearerRequest("GET", `${emulator.apiUrl}/api.xro/2.0/Organisation`, tokens.accessToken, 10_000);
        const result = await sendWithRetries(
          { ...request, headers: { ...request.headers, "xero-tenant-id": tenantId } },
          { idempotency: "idempotent", label: "GET Organisation", redactor: new Redactor() },
          context,
        );
        return result.kind === "response" ? result.response.status : 0;
      });

    const statuses = await Promise.all(Array.from({ length: CALLS }, organisation));

    expect(statuses).toEqual(Array.from({ length: CALLS }, () => 200));
    const log = (await emulator.admin.requests()).filter((entry) => entry.path === "/api/api.xro/2.0/Organisation");
    expect(log.filter((entry) => entry.status === 200)).toHaveLength(CALLS);
    expect(rateLimitRefusals(log)).toEqual([]);
    expect(log.filter((entry) => entry.status === 429).map((entry) => entry.fault)).toEqual(["status 429", "status 429", "status 429"]);
    expect(limiter.rateLimitedResponses).toBe(3);
    expect(unhonoured429s(recorder.sent)).toEqual([]);
    expect(recorder.mostInFlight()).toBe(5);
    // 200 calls at 60 a minute: the emulator's clock saw them spread over more than three minutes.
    const times = log.map((entry) => Date.parse(entry.time));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it("keeps 200 tenantless calls of one app inside a per-app minute limit, which the emulator enforces too", async () => {
    await emulator.close();
    time = virtualTime(Date.parse("2026-06-01T00:00:00Z"));
    emulator = await startEmulator({ latencyMs: 2, rateLimits: { perAppPerMinute: 50 } }, { clock: time.emulatorClock });
    tenantId = (await emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Reporting", scopes: ["accounting.settings.read"] });
    clientId = app.clientId;
    clientSecret = app.clientSecret ?? "";
    await emulator.admin.link(clientId, tenantId);
    const limiter = createXeroCallLimiter({ concurrency: CONCURRENCY, limits: { perAppPerMinute: 50 }, clock: time.clock, sleep: time.sleep });
    const recorder = recordingTransport(time);
    const client = clientFor(limiter, recorder.transport);
    const tokens = await limiter.run({ clientId }, () => client.clientCredentials());

    const answers = await Promise.all(Array.from({ length: CALLS }, () => limiter.run({ clientId }, () => client.listConnections(tokens.accessToken))));

    expect(answers.every((connections) => connections[0]?.tenantId === tenantId)).toBe(true);
    const log = (await emulator.admin.requests()).filter((entry) => entry.path === "/api/connections");
    expect(rateLimitRefusals(log)).toEqual([]);
    expect(log).toHaveLength(CALLS);
    expect(limiter.rateLimitedResponses).toBe(0);
  });
});
