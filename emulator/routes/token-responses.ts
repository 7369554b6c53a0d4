import type { HandlerResult } from "../context";
import { jsonResponse } from "../http";

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
