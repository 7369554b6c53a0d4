import { CdktfXeroError } from "../errors";

/**
 * The errors of a consent (the authorization-code flow a person goes through in a browser). None of
 * them carries the code, the PKCE verifier, the nonce or a token: only what to do next.
 */

type ErrorOptions = { cause?: unknown; context?: Record<string, unknown> };

/** The app has no redirect URI the flow can listen on: the person must register one in the portal. */
export class XeroNoLoopbackRedirectUriError extends CdktfXeroError {
  readonly code = "XERO_NO_LOOPBACK_REDIRECT_URI";
  /** The exact URI to add in the developer portal and to the registration's `redirectUris`. */
  readonly redirectUriToAdd: string;

  constructor(message: string, fields: { redirectUriToAdd: string }, options: ErrorOptions = {}) {
    super(message, { cause: options.cause, context: { ...options.context, redirectUriToAdd: fields.redirectUriToAdd } });
    this.redirectUriToAdd = fields.redirectUriToAdd;
  }
}

/** The loopback redirect URI's port could not be listened on (in use, or not allowed). */
export class XeroLoopbackListenError extends CdktfXeroError {
  readonly code = "XERO_LOOPBACK_LISTEN_FAILED";
}

/** Xero's authorize endpoint redirected back with `error` (the person declined, or the request was refused). */
export class XeroAuthorizeRedirectError extends CdktfXeroError {
  readonly code = "XERO_AUTHORIZE_REFUSED";
  /** The OAuth `error`, e.g. `access_denied`. */
  readonly error: string;
  readonly error_description?: string;

  constructor(message: string, fields: { error: string; error_description?: string }, options: ErrorOptions = {}) {
    super(message, { cause: options.cause, context: { ...options.context, error: fields.error, error_description: fields.error_description } });
    this.error = fields.error;
    if (fields.error_description !== undefined) this.error_description = fields.error_description;
  }
}

/** The redirect's `state` is not the one this flow sent: it answers another sign-in, or is forged. */
export class XeroStateMismatchError extends CdktfXeroError {
  readonly code = "XERO_STATE_MISMATCH";
}

/** A redirect URL the flow cannot use: not the redirect URI it started with, not a URL, or no code. */
export class XeroRedirectUrlError extends CdktfXeroError {
  readonly code = "XERO_REDIRECT_URL_INVALID";
}

/** Nobody came back to the loopback redirect URI in time. */
export class XeroConsentTimeoutError extends CdktfXeroError {
  readonly code = "XERO_CONSENT_TIMEOUT";
}
