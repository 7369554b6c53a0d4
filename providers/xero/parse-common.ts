import { XeroProtocolError, XeroRateLimitedError, XeroUnavailableError } from "./errors";
import type { RawResponse } from "./http";
import type { Redactor } from "./redact";
import { parseRetryAfter } from "./retry";

/** What every parse function needs besides the response: pure data, no I/O. */
export interface ParseContext {
  /** Names the call in messages, e.g. "the client_credentials token request". */
  readonly operation: string;
  /** The client id (not a secret), named in messages. */
  readonly clientId: string;
  /** When the response arrived: expiry times and HTTP-date `Retry-After` are computed from it. */
  readonly receivedAt: Date;
  /** Knows the secrets of this call; everything server-supplied that reaches a message passes it. */
  readonly redactor: Redactor;
}

/** The parsed JSON body, or {@link XeroProtocolError} when the body is not JSON. */
export function readJson(response: RawResponse, context: ParseContext, expected: string): unknown {
  try {
    return JSON.parse(response.bodyText) as unknown;
  } catch (error) {
    throw unexpectedResponse(response, context, expected, error);
  }
}

/** A protocol error that describes the response by status, type and size, never by content. */
export function unexpectedResponse(
  response: RawResponse,
  context: ParseContext,
  expected: string,
  cause?: unknown,
): XeroProtocolError {
  const contentType = response.headers["content-type"] ?? "no content type";
  return new XeroProtocolError(
    `Xero's answer to ${context.operation} could not be used: expected ${expected}, got HTTP ${response.status} ` +
      `(${contentType}, ${response.bodyText.length} bytes). Check that the Xero URLs (XERO_IDENTITY_URL, ` +
      `XERO_API_URL) point at Xero or the emulator; if they do, report this with the correlation id.`,
    {
      ...(cause === undefined ? {} : { cause: context.redactor.error(cause) }),
      context: {
        operation: context.operation,
        clientId: context.clientId,
        status: response.status,
        contentType,
        bodyBytes: response.bodyText.length,
        correlationId: response.headers["xero-correlation-id"],
      },
    },
  );
}

/** 429: which limit, how long to wait, and what to do. */
export function rateLimitedError(response: RawResponse, context: ParseContext): XeroRateLimitedError {
  const retryAfterSeconds = parseRetryAfter(response.headers["retry-after"], context.receivedAt);
  const problem = response.headers["x-rate-limit-problem"];
  const which = problem === undefined ? "a rate limit" : `its ${problem} rate limit`;
  const wait = retryAfterSeconds === undefined ? "" : `; it asked to wait ${retryAfterSeconds} s`;
  return new XeroRateLimitedError(
    `Xero refused ${context.operation} for client ${context.clientId} under ${which} (HTTP 429${wait}). ` +
      `Wait that long and run again, or spread the calls out (per organisation: 60 a minute, 5,000 a day).`,
    { retryAfterSeconds, problem },
    { context: { operation: context.operation, clientId: context.clientId, status: 429 } },
  );
}

/** 5xx after the retries allowed. */
export function serverError(response: RawResponse, context: ParseContext): XeroUnavailableError {
  return new XeroUnavailableError(
    `Xero failed ${context.operation} with HTTP ${response.status}. It is a problem on Xero's side: ` +
      `try again in a few minutes, and check https://status.xero.com if it persists.`,
    { reason: "server_error", status: response.status },
    {
      context: {
        operation: context.operation,
        clientId: context.clientId,
        correlationId: response.headers["xero-correlation-id"],
      },
    },
  );
}

/** A non-empty string field of a JSON object, or undefined. */
export function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
