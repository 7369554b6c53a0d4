/**
 * The socket-free request and response every route handler works with, so handlers are tested by
 * calling them directly. server.ts converts node:http messages to and from these.
 */
export interface EmulatorRequest {
  readonly method: string;
  /** Path below the server root, e.g. `/identity/connect/token`; no query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function htmlResponse(status: number, html: string): EmulatorResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: html,
  };
}

export function redirectResponse(location: string): EmulatorResponse {
  return { status: 302, headers: { location, "cache-control": "no-store" }, body: "" };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers, body: "" };
}

export function methodNotAllowed(allowed: readonly string[]): EmulatorResponse {
  return { status: 405, headers: { allow: allowed.join(", ") }, body: "" };
}

/** True when the body was sent as `application/x-www-form-urlencoded` (charset parameters allowed). */
export function isFormEncoded(request: EmulatorRequest): boolean {
  const type = request.headers["content-type"];
  return type !== undefined && type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
