import { CdktfXeroError } from "../errors";

/**
 * The errors the Xero client throws. Each has a stable `code`, a message that names what failed and
 * what to do, a secret-free `context` and (where there was one) a scrubbed `cause`.
 * Messages and context are built from redacted text only (see redact.ts): the constructors trust
 * their callers on that, so only the parse and client modules build them.
 */

type ErrorOptions = { cause?: unknown; context?: Record<string, unknown> };

/** The OAuth error body of a token or revocation response, as Xero sent it. */
export interface OAuthErrorFields {
  /** The OAuth `error` code, e.g. `invalid_grant`. */
  readonly error: string;
  /** Xero's `error_description`, when it sent one (redacted). */
  readonly error_description?: string;
  /** The HTTP status of the response. */
  readonly status: number;
}

/**
 * A token or revocation request Xero answered with an OAuth error body.
 * Keeps the wire names `error` / `error_description` like other OAuth clients do.
 */
export abstract class XeroOAuthError extends CdktfXeroError implements OAuthErrorFields {
  readonly error: string;
  readonly error_description?: string;
  readonly status: number;

  constructor(message: string, fields: OAuthErrorFields, options: ErrorOptions = {}) {
    super(message, {
      cause: options.cause,
      context: { ...options.context, error: fields.error, status: fields.status },
    });
    this.error = fields.error;
    if (fields.error_description !== undefined) this.error_description = fields.error_description;
    this.status = fields.status;
  }
}

/** `invalid_client`: the client id is unknown or the client secret is wrong or deleted. */
export class XeroInvalidClientError extends XeroOAuthError {
  readonly code = "XERO_INVALID_CLIENT";
}

/** `invalid_grant`: the code or refresh token is wrong, expired, used, revoked or for another client. */
export class XeroInvalidGrantError extends XeroOAuthError {
  readonly code = "XERO_INVALID_GRANT";
}

/** `invalid_scope`: a requested scope is unknown or was not granted to this app or connection. */
export class XeroInvalidScopeError extends XeroOAuthError {
  readonly code = "XERO_INVALID_SCOPE";
}

/** `unauthorized_client`: the client authenticated but may not use this grant type. */
export class XeroUnauthorizedClientError extends XeroOAuthError {
  readonly code = "XERO_UNAUTHORIZED_CLIENT";
}

/** Any other OAuth error (`invalid_request`, `unsupported_grant_type`, …): a client bug or a Xero change. */
export class XeroOAuthRequestError extends XeroOAuthError {
  readonly code = "XERO_OAUTH_ERROR";
}

/** Which of Xero's limits was hit: `X-Rate-Limit-Problem` (`minute`, `day`, `appminute`, …). */
export type XeroRateLimitProblem = string;

/** 429 from Xero after the retries allowed (or a `Retry-After` longer than the client may wait). */
export class XeroRateLimitedError extends CdktfXeroError {
  readonly code = "XERO_RATE_LIMITED";
  /** Seconds Xero asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** Which limit (`X-Rate-Limit-Problem`), when Xero said. */
  readonly problem: XeroRateLimitProblem | undefined;

  constructor(
    message: string,
    fields: { retryAfterSeconds: number | undefined; problem: string | undefined },
    options: ErrorOptions = {},
  ) {
    super(message, {
      cause: options.cause,
      context: { ...options.context, retryAfterSeconds: fields.retryAfterSeconds, problem: fields.problem },
    });
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.problem = fields.problem;
  }
}

/** Why Xero could not be used: no connection, a timeout, or a 5xx answer. */
export type XeroUnavailableReason = "network" | "timeout" | "server_error";

/** Xero could not be reached or failed (after the retries allowed). Safe to try again later. */
export class XeroUnavailableError extends CdktfXeroError {
  // Typed `string` so the refresh-specific subclass can carry its own code.
  readonly code: string = "XERO_UNAVAILABLE";
  readonly reason: XeroUnavailableReason;
  /** The HTTP status for `server_error`. */
  readonly status: number | undefined;

  constructor(
    message: string,
    fields: { reason: XeroUnavailableReason; status?: number },
    options: ErrorOptions = {},
  ) {
    super(message, {
      cause: options.cause,
      context: { ...options.context, reason: fields.reason, status: fields.status },
    });
    this.reason = fields.reason;
    this.status = fields.status;
  }
}

/**
 * A refresh was sent but its answer was lost (timeout, reset, 5xx). Xero may or may not have rotated
 * the refresh token. It was NOT re-sent automatically: re-sending is the caller's decision.
 *
 * Recovery: Xero accepts the refresh token that was sent again until {@link graceExpiresAt}
 * (its 30-minute grace period, counted from before the request left). Call {@link retry} (or
 * `refresh()` with the same token) before then; the token is kept in a closure, never in a property
 * or message, and {@link sentRefreshToken} returns it for a caller that must persist it.
 */
export class XeroRefreshOutcomeUnknownError extends XeroUnavailableError {
  override readonly code: string = "XERO_REFRESH_OUTCOME_UNKNOWN";
  /** When the lost request was sent (client clock). */
  readonly sentAt: Date;
  /** Until when the same refresh token may be sent again (conservative: sentAt + grace). */
  readonly graceExpiresAt: Date;
  /** Names the refresh token that was sent, without revealing it. */
  readonly refreshTokenFingerprint: string;
  // ES private fields: invisible to util.inspect, JSON and Object.keys, so the token cannot leak.
  readonly #resend: () => Promise<unknown>;
  readonly #token: () => string;

  constructor(
    message: string,
    fields: {
      reason: XeroUnavailableReason;
      status?: number;
      sentAt: Date;
      graceExpiresAt: Date;
      refreshTokenFingerprint: string;
      sentRefreshToken: () => string;
      retry: () => Promise<unknown>;
    },
    options: ErrorOptions = {},
  ) {
    super(message, fields, {
      cause: options.cause,
      context: {
        ...options.context,
        sentAt: fields.sentAt.toISOString(),
        graceExpiresAt: fields.graceExpiresAt.toISOString(),
        refreshTokenFingerprint: fields.refreshTokenFingerprint,
      },
    });
    this.sentAt = fields.sentAt;
    this.graceExpiresAt = fields.graceExpiresAt;
    this.refreshTokenFingerprint = fields.refreshTokenFingerprint;
    this.#resend = fields.retry;
    this.#token = fields.sentRefreshToken;
  }

  /** The refresh token that was sent, for a caller that must record it while it recovers. */
  sentRefreshToken(): string {
    return this.#token();
  }

  /** Sends the same refresh token once more (one attempt, no automatic retries of a lost answer). */
  retry<T = unknown>(): Promise<T> {
    return this.#resend() as Promise<T>;
  }
}

/** Xero answered with something the client cannot read: wrong content, missing fields, odd status. */
export class XeroProtocolError extends CdktfXeroError {
  readonly code = "XERO_PROTOCOL_ERROR";
}

/** The problem body of a Xero API error (`Title`/`title`, `Detail`/`detail`, `Instance`/`instance`). */
export interface XeroApiProblem {
  readonly title?: string;
  readonly detail?: string;
  readonly instance?: string;
}

/** A Xero API (not identity) error answer. */
export abstract class XeroApiError extends CdktfXeroError {
  readonly status: number;
  readonly problem: XeroApiProblem;

  constructor(message: string, fields: { status: number; problem: XeroApiProblem }, options: ErrorOptions = {}) {
    super(message, { cause: options.cause, context: { ...options.context, status: fields.status, ...fields.problem } });
    this.status = fields.status;
    this.problem = fields.problem;
  }
}

/** API 401: the access token is missing, malformed, expired or revoked. */
export class XeroUnauthorizedError extends XeroApiError {
  readonly code = "XERO_UNAUTHORIZED";
}

/** API 403: the token is valid but may not use this tenant or resource. */
export class XeroForbiddenError extends XeroApiError {
  readonly code = "XERO_FORBIDDEN";
}

/** DELETE /connections/{id} answered 404: no such connection for this token. */
export class XeroConnectionNotFoundError extends XeroApiError {
  readonly code = "XERO_CONNECTION_NOT_FOUND";
}

/** An access token failed signature or claim verification against the issuer's keys. */
export class XeroTokenVerificationError extends CdktfXeroError {
  readonly code = "XERO_TOKEN_INVALID";
}
