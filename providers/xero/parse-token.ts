import {
  XeroInvalidClientError,
  XeroInvalidGrantError,
  XeroInvalidScopeError,
  XeroOAuthRequestError,
  XeroUnauthorizedClientError,
  type OAuthErrorFields,
  type XeroOAuthError,
} from "./errors";
import type { RawResponse } from "./http";
import {
  isObject,
  rateLimitedError,
  readJson,
  serverError,
  stringField,
  unexpectedResponse,
  type ParseContext,
} from "./parse-common";
import type { CdktfXeroError } from "../errors";

/** A token response, validated. Holds secrets: store it in exactly one place, never log it. */
export interface XeroTokenSet {
  readonly accessToken: string;
  readonly tokenType: "Bearer";
  /** `expires_in` as sent (Xero: 1800). */
  readonly expiresInSeconds: number;
  /** `receivedAt + expires_in`. */
  readonly expiresAt: Date;
  /** Only with the `offline_access` scope; never for client credentials. Rotates on every refresh. */
  readonly refreshToken?: string;
  /** Only with the `openid` scope. */
  readonly idToken?: string;
  /** The granted scopes (`scope`, space separated on the wire); empty when Xero did not say. */
  readonly scopes: readonly string[];
}

/** Which token request a response answers: message wording depends on it. */
export type TokenRequestKind = "client_credentials" | "authorization_code" | "refresh_token" | "probe" | "revocation";

export interface TokenParseContext extends ParseContext {
  readonly kind: TokenRequestKind;
  /** The scopes asked for, if any (not secret), named in an invalid_scope message. */
  readonly requestedScopes?: readonly string[];
}

/**
 * A token endpoint response turned into a {@link XeroTokenSet}, or the typed error it means:
 * OAuth error bodies → XeroInvalidClientError / XeroInvalidGrantError / XeroInvalidScopeError /
 * XeroUnauthorizedClientError / XeroOAuthRequestError; 429 → XeroRateLimitedError; 5xx →
 * XeroUnavailableError; anything else unreadable → XeroProtocolError. Pure.
 */
export function parseTokenResponse(response: RawResponse, context: TokenParseContext): XeroTokenSet {
  if (response.status !== 200) throw tokenEndpointError(response, context);
  const body = readJson(response, context, "a JSON token response");
  if (!isObject(body)) throw unexpectedResponse(response, context, "a JSON object with access_token");
  const accessToken = stringField(body, "access_token");
  const tokenType = stringField(body, "token_type");
  const expiresIn = body["expires_in"];
  if (accessToken === undefined) throw unexpectedResponse(response, context, "an access_token");
  if (tokenType?.toLowerCase() !== "bearer") throw unexpectedResponse(response, context, 'token_type "Bearer"');
  if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw unexpectedResponse(response, context, "a positive number expires_in");
  }
  for (const key of ["refresh_token", "id_token", "scope"]) {
    if (body[key] !== undefined && typeof body[key] !== "string") {
      throw unexpectedResponse(response, context, `${key} to be a string when present`);
    }
  }
  const refreshToken = stringField(body, "refresh_token");
  const idToken = stringField(body, "id_token");
  return {
    accessToken,
    tokenType: "Bearer",
    expiresInSeconds: expiresIn,
    expiresAt: new Date(context.receivedAt.getTime() + expiresIn * 1000),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(idToken === undefined ? {} : { idToken }),
    scopes: splitScopes(stringField(body, "scope")),
  };
}

/** Revocation: 200 is success (RFC 7009: also for a token that was already invalid). */
export function parseRevocationResponse(response: RawResponse, context: TokenParseContext): void {
  if (response.status === 200) return;
  throw tokenEndpointError(response, context);
}

/** `error` and `error_description` of an OAuth error body, or undefined when it is not one. */
export function parseOAuthErrorBody(body: unknown): { error: string; error_description?: string } | undefined {
  if (!isObject(body)) return undefined;
  const error = stringField(body, "error");
  if (error === undefined || !/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(error)) return undefined;
  const description = stringField(body, "error_description");
  return description === undefined ? { error } : { error, error_description: description };
}

/** The typed error for a non-200 token or revocation response. Pure. */
export function tokenEndpointError(response: RawResponse, context: TokenParseContext): CdktfXeroError {
  if (response.status === 429) return rateLimitedError(response, context);
  if (response.status >= 500) return serverError(response, context);
  let body: unknown;
  try {
    body = JSON.parse(response.bodyText) as unknown;
  } catch {
    body = undefined;
  }
  const oauth = response.status >= 400 ? parseOAuthErrorBody(body) : undefined;
  if (oauth === undefined) return unexpectedResponse(response, context, "200 or an OAuth error body");
  const description = oauth.error_description === undefined ? undefined : context.redactor.text(oauth.error_description);
  return oauthError(
    { error: oauth.error, status: response.status, ...(description === undefined ? {} : { error_description: description }) },
    context,
    response.headers["xero-correlation-id"],
  );
}

function oauthError(fields: OAuthErrorFields, context: TokenParseContext, correlationId: string | undefined): XeroOAuthError {
  const id = context.clientId;
  const said = `${fields.error}${fields.error_description === undefined ? "" : `: ${fields.error_description}`}`;
  const options = { context: { operation: context.operation, clientId: id, correlationId } };
  switch (fields.error) {
    case "invalid_client":
      return new XeroInvalidClientError(
        `Xero rejected client ${id} (${said}): the client id is unknown, or its client secret is wrong or was ` +
          `deleted. Check the app in the Xero developer portal (https://developer.xero.com/app/manage) and supply ` +
          `its current client id and secret.`,
        fields,
        options,
      );
    case "invalid_grant":
      return new XeroInvalidGrantError(invalidGrantMessage(context.kind, id, said), fields, options);
    case "invalid_scope": {
      const asked = context.requestedScopes === undefined || context.requestedScopes.length === 0
        ? ""
        : ` Requested: ${context.requestedScopes.join(" ")}.`;
      return new XeroInvalidScopeError(
        `Xero refused the scopes asked for by client ${id} (${said}): ask only for scopes the app or Custom ` +
          `Connection was granted in the developer portal, or ask for none to get all granted scopes.${asked}`,
        fields,
        options,
      );
    }
    case "unauthorized_client":
      return new XeroUnauthorizedClientError(unauthorizedClientMessage(context.kind, id, said), fields, options);
    default:
      return new XeroOAuthRequestError(
        `Xero rejected ${context.operation} of client ${id} (${said}). This is a bug in cdktf-xero or a change at ` +
          `Xero: report it with this message.`,
        fields,
        options,
      );
  }
}

function invalidGrantMessage(kind: TokenRequestKind, id: string, said: string): string {
  switch (kind) {
    case "authorization_code":
      return (
        `Xero rejected the authorization code for client ${id} (${said}): codes are single use and short lived, ` +
        `and redirect_uri and the PKCE code_verifier must match the authorize request exactly. Start the ` +
        `authorization again.`
      );
    case "refresh_token":
      return (
        `Xero rejected the refresh token for client ${id} (${said}): it was used more than 30 minutes ago, ` +
        `revoked, unused for 60 days, or issued to another client. Re-authorise the connection ` +
        `(a user signs in and consents again in Xero's authorization code flow) to get a new token set.`
      );
    default:
      return `Xero rejected the grant of client ${id} (${said}). Start the authorization again.`;
  }
}

function unauthorizedClientMessage(kind: TokenRequestKind, id: string, said: string): string {
  switch (kind) {
    case "client_credentials":
      return (
        `Client ${id} may not use client credentials (${said}): only Custom Connections can. For a Web or PKCE ` +
        `app use the authorization code flow (a user signs in and consents in Xero); otherwise check the client id.`
      );
    case "probe":
      return (
        `Client ${id} authenticated but may not use the authorization code grant (${said}): it is probably a ` +
        `Custom Connection. Verify it with client credentials instead.`
      );
    default:
      return `Client ${id} may not use this grant (${said}): check the app's kind in the Xero developer portal.`;
  }
}

/** A space-separated `scope` as a list, duplicates and empty parts dropped. */
export function splitScopes(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(/\s+/).filter((part) => part !== ""))];
}
