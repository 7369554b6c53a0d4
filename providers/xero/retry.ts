import { ConfigError } from "../errors";
import type { TransportFailureKind } from "./http";

/**
 * How hard the client tries. Every request is bounded by `timeoutMs`, every operation by
 * `maxAttempts`, every wait by `maxDelayMs` (backoff) or `maxRetryAfterMs` (a 429's `Retry-After`).
 */
export interface RetryPolicy {
  /** Attempts per operation, the first included. @default 4 */
  readonly maxAttempts: number;
  /** First backoff step; doubles each attempt. @default 250 */
  readonly baseDelayMs: number;
  /** Largest backoff step. @default 5000 */
  readonly maxDelayMs: number;
  /** Longest `Retry-After` the client waits out; a longer one is returned as XeroRateLimitedError. @default 60000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
});

/** Whether repeating a request is harmless. A refresh or a code exchange is not: both spend a credential. */
export type Idempotency = "idempotent" | "non-idempotent";

/** What the last attempt produced, as far as retrying cares. */
export type AttemptOutcome =
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: "failure"; readonly failure: TransportFailureKind };

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly why: string }
  | { readonly retry: false; readonly why: string };

/** A policy with defaults filled in and every number checked. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    const min = name === "maxAttempts" ? 1 : 0;
    if (!Number.isInteger(value) || value < min) {
      throw new ConfigError(`retry.${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  }
  return policy;
}

/**
 * The wait before attempt `attempt + 1`: exponential (`baseDelayMs * 2^(attempt-1)`, capped at
 * `maxDelayMs`) with "equal jitter" (half fixed, half random), so concurrent clients spread out
 * but no wait collapses to zero.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Whether to try again after `attempt` attempts. Pure.
 * - 429: wait exactly `Retry-After` (or back off when absent), unless it exceeds `maxRetryAfterMs`;
 *   safe even for refreshes, because a 429 means Xero did not process the request.
 * - a connection never made: back off; the server never saw the request.
 * - 5xx, reset, timeout: back off only when idempotent. A refresh may have been processed: Xero may
 *   have rotated the token, so sending it again blindly could spend the grace period or fail.
 */
export function decideRetry(input: {
  attempt: number;
  outcome: AttemptOutcome;
  idempotency: Idempotency;
  policy: RetryPolicy;
  random: () => number;
}): RetryDecision {
  const { attempt, outcome, idempotency, policy, random } = input;
  const retriable = classify(outcome, idempotency);
  if (!retriable.retry) return { retry: false, why: retriable.why };
  if (attempt >= policy.maxAttempts) return { retry: false, why: `${retriable.why}; attempts exhausted (${attempt})` };
  if (outcome.kind === "status" && outcome.status === 429 && outcome.retryAfterSeconds !== undefined) {
    const delayMs = outcome.retryAfterSeconds * 1000;
    if (delayMs > policy.maxRetryAfterMs) {
      return { retry: false, why: `Retry-After ${outcome.retryAfterSeconds}s exceeds maxRetryAfterMs ${policy.maxRetryAfterMs}` };
    }
    return { retry: true, delayMs, why: `429, Retry-After ${outcome.retryAfterSeconds}s` };
  }
  return { retry: true, delayMs: backoffDelayMs(attempt, policy, random), why: retriable.why };
}

function classify(outcome: AttemptOutcome, idempotency: Idempotency): { retry: boolean; why: string } {
  if (outcome.kind === "status") {
    if (outcome.status === 429) return { retry: true, why: "429" };
    if (outcome.status >= 500 && outcome.status !== 501) {
      return idempotency === "idempotent"
        ? { retry: true, why: `${outcome.status}` }
        : { retry: false, why: `${outcome.status} on a non-idempotent request` };
    }
    return { retry: false, why: `${outcome.status} is an answer` };
  }
  if (outcome.failure === "connect") return { retry: true, why: "connection not made" };
  return idempotency === "idempotent"
    ? { retry: true, why: outcome.failure }
    : { retry: false, why: `${outcome.failure} on a non-idempotent request` };
}

/**
 * Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (relative to `now`).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
