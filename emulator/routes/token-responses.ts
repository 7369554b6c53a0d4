import type { HandlerResult } from "../context";
import { emptyResponse, jsonResponse } from "../http";

/** IdentityServer's headers on every token endpoint answer, success or error. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store, no-cache, max-age=0",
  pragma: "no-cache",
};

/** A token endpoint error in OAuth's shape: `{"error"}` plus `error_description` only when given. */
export function tokenError(error: string, options: { description?: string; note?: string; status?: number } = {}): HandlerResult {
  const body = options.description === undefined ? { error } : { error, error_description: options.description };
  return { ...jsonResponse(options.status ?? 400, body, { ...NO_STORE_HEADERS }), ...(options.note === undefined ? {} : { note: options.note }) };
}

export function tokenSuccess(body: unknown): HandlerResult {
  return jsonResponse(200, body, { ...NO_STORE_HEADERS });
}

/**
 * The token endpoint's own 429 (`tokenRateLimitPerMinute`). Xero documents no body or headers for
 * it; assumed: `Retry-After` in seconds, an empty body, and none of the API's limit headers
 * (`X-Rate-Limit-Problem`, `X-*Limit-Remaining`), which belong to api.xero.com.
 */
export function tokenRateLimited(retryAfterSeconds: number, perMinute: number): HandlerResult {
  return {
    ...emptyResponse(429, { ...NO_STORE_HEADERS, "retry-after": String(retryAfterSeconds) }),
    note: `token endpoint limit reached (${perMinute} a minute for this client id)`,
  };
}
