import { ConfigError } from "../../providers/errors";
import { TransportFailure } from "../../providers/xero/http";
import { lostAnswer } from "../../providers/xero/send";
import {
  backoffDelayMs,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryPolicy,
  type AttemptOutcome,
  type Idempotency,
} from "../../providers/xero/retry";

const policy = retryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 30_000 });
const decide = (attempt: number, outcome: AttemptOutcome, idempotency: Idempotency = "idempotent", random = () => 0.5) =>
  decideRetry({ attempt, outcome, idempotency, policy, random });

describe("backoffDelayMs", () => {
  it("doubles each attempt with half of each step random", () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([100, 200, 400]);
  });

  it("never exceeds maxDelayMs", () => {
    expect(backoffDelayMs(20, policy, () => 0.999999)).toBe(1000);
  });
});

describe("decideRetry", () => {
  it("waits exactly Retry-After on a 429", () => {
    expect(decide(1, { kind: "status", status: 429, retryAfterSeconds: 3 })).toEqual({ retry: true, delayMs: 3000, why: "429, Retry-After 3s" });
  });

  it("retries a 429 of a non-idempotent request, because Xero did not process it", () => {
    expect(decide(1, { kind: "status", status: 429, retryAfterSeconds: 1 }, "non-idempotent").retry).toBe(true);
  });

  it("backs off on a 429 without Retry-After", () => {
    expect(decide(2, { kind: "status", status: 429 })).toEqual({ retry: true, delayMs: 150, why: "429" });
  });

  it("gives up on a Retry-After longer than maxRetryAfterMs", () => {
    expect(decide(1, { kind: "status", status: 429, retryAfterSeconds: 3600 })).toEqual({
      retry: false,
      why: "Retry-After 3600s exceeds maxRetryAfterMs 30000",
    });
  });

  it("backs off on a 503 of an idempotent request", () => {
    expect(decide(1, { kind: "status", status: 503 })).toEqual({ retry: true, delayMs: 75, why: "503" });
  });

  it("does not retry a 5xx of a non-idempotent request", () => {
    expect(decide(1, { kind: "status", status: 502 }, "non-idempotent")).toEqual({ retry: false, why: "502 on a non-idempotent request" });
  });

  it("does not retry 501 Not Implemented", () => {
    expect(decide(1, { kind: "status", status: 501 }).retry).toBe(false);
  });

  it("does not retry an answer such as 400", () => {
    expect(decide(1, { kind: "status", status: 400 })).toEqual({ retry: false, why: "400 is an answer" });
  });

  it("retries a connection that was never made, even for a refresh", () => {
    expect(decide(1, { kind: "failure", failure: "connect" }, "non-idempotent")).toEqual({ retry: true, delayMs: 75, why: "connection not made" });
  });

  it("retries a reset or timeout of an idempotent request", () => {
    expect(decide(1, { kind: "failure", failure: "reset" }).retry).toBe(true);
    expect(decide(1, { kind: "failure", failure: "timeout" }).retry).toBe(true);
  });

  it("does not retry a reset or timeout of a non-idempotent request", () => {
    expect(decide(1, { kind: "failure", failure: "timeout" }, "non-idempotent")).toEqual({ retry: false, why: "timeout on a non-idempotent request" });
  });

  it("stops after maxAttempts", () => {
    expect(decide(4, { kind: "status", status: 503 })).toEqual({ retry: false, why: "503; attempts exhausted (4)" });
  });
});

describe("retryPolicy", () => {
  it("fills in the defaults", () => {
    expect(retryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("rejects a maxAttempts below 1", () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(new ConfigError("retry.maxAttempts must be an integer >= 1, got 0"));
  });

  it("rejects a fractional delay", () => {
    expect(() => retryPolicy({ baseDelayMs: 1.5 })).toThrow("retry.baseDelayMs must be an integer >= 0, got 1.5");
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-01-01T00:00:00Z");

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("42", now)).toBe(42);
  });

  it("reads an HTTP date relative to now", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:30 GMT", now)).toBe(90);
  });

  it("treats a past HTTP date as zero", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
  });

  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});

describe("lostAnswer", () => {
  const response = (status: number) => ({ kind: "response" as const, response: { status, headers: {}, bodyText: "" }, attempts: 1 });
  const failure = (kind: "connect" | "reset" | "timeout") => ({ kind: "failure" as const, failure: new TransportFailure(kind, `scripted ${kind}`), attempts: 1 });

  it("calls a 5xx a lost answer: the server may have committed before failing", () => {
    expect(lostAnswer(response(503))).toEqual({ reason: "server_error", status: 503, why: "HTTP 503" });
  });

  it("calls a reset or timeout a lost answer", () => {
    expect(lostAnswer(failure("reset"))).toEqual({ reason: "network", why: "scripted reset" });
    expect(lostAnswer(failure("timeout"))).toEqual({ reason: "timeout", why: "scripted timeout" });
  });

  it("calls a 4xx answer and a connection never made definite", () => {
    expect(lostAnswer(response(400))).toBeUndefined();
    expect(lostAnswer(failure("connect"))).toBeUndefined();
  });
});
