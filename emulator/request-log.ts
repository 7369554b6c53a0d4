import type { EmulatorRequest } from "./http";

/**
 * Every request to the Xero-facing endpoints (admin calls are not logged), with secrets redacted:
 * Authorization and Cookie headers, and the values of client_secret, code, code_verifier,
 * refresh_token, token and similar parameters.
 */
export interface RequestLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  /** Form fields (redacted), `[N bytes]` for any other body, or undefined when empty. */
  readonly body: Record<string, string> | string | undefined;
  /** The status sent, or "dropped" when a fault closed the connection without an answer. */
  readonly status: number | "dropped";
  readonly correlationId: string;
  readonly fault?: string;
  /** Why the emulator refused, where Xero's body does not say. */
  readonly note?: string;
}

export const REDACTED = "[REDACTED]";

const SECRET_PARAMETERS = new Set([
  "client_secret",
  "code",
  "code_verifier",
  "refresh_token",
  "token",
  "access_token",
  "id_token",
  "password",
  "clientsecret",
]);
const SECRET_HEADERS = new Set(["cookie", "set-cookie", "proxy-authorization"]);

function redactParameters(parameters: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of parameters) {
    result[key] = SECRET_PARAMETERS.has(key.toLowerCase()) ? REDACTED : value;
  }
  return result;
}

export function redactHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (name === "authorization") {
      // Keep the scheme so a reader can tell Basic from Bearer.
      const scheme = value.split(" ")[0] ?? "";
      result[name] = value.includes(" ") ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      result[name] = SECRET_HEADERS.has(name) ? REDACTED : value;
    }
  }
  return result;
}

export function redactBody(request: EmulatorRequest): Record<string, string> | string | undefined {
  if (request.body.length === 0) return undefined;
  const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return redactParameters(new URLSearchParams(request.body));
  return `[${Buffer.byteLength(request.body)} bytes]`;
}

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  private serving = 0;

  /**
   * Requests to the Xero-facing endpoints received and not yet answered or dropped: a condition a
   * test polls to know the emulator has finished what a client sent before it died (a request sent
   * by a killed process is still served, and may still rotate a refresh token).
   */
  get inflight(): number {
    return this.serving;
  }

  /** Counts one request as in flight until `serve` settles. */
  async during<T>(serve: () => Promise<T>): Promise<T> {
    this.serving++;
    try {
      return await serve();
    } finally {
      this.serving--;
    }
  }

  record(
    request: EmulatorRequest,
    outcome: { time: Date; status: number | "dropped"; correlationId: string; fault?: string; note?: string },
  ): void {
    this.entries.push({
      time: outcome.time.toISOString(),
      method: request.method,
      path: request.path,
      query: redactParameters(request.query),
      headers: redactHeaders(request.headers),
      body: redactBody(request),
      status: outcome.status,
      correlationId: outcome.correlationId,
      ...(outcome.fault === undefined ? {} : { fault: outcome.fault }),
      ...(outcome.note === undefined ? {} : { note: outcome.note }),
    });
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
