import type { HandlerResult } from "../context";
import { jsonResponse } from "../http";
import type { Admission } from "../rate-limits";

/** Xero's 429: Retry-After in seconds and X-Rate-Limit-Problem naming the limit. */
export function tooManyRequests(refusal: Extract<Admission, { admitted: false }>): HandlerResult {
  return {
    ...jsonResponse(
      429,
      { Title: "Too Many Requests", Status: 429, Detail: `Rate limit exceeded: ${refusal.problem}` },
      { ...refusal.headers, "retry-after": String(refusal.retryAfterSeconds), "x-rate-limit-problem": refusal.problem },
    ),
    note: `${refusal.problem} limit reached`,
  };
}
