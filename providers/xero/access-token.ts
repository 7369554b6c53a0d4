import { XeroProtocolError } from "./errors";
import { isObject } from "./parse-common";

/**
 * What a Xero access token says about itself. Decoding does NOT verify the signature: use the
 * client's `verifyAccessToken` before trusting any of it for a decision that matters.
 */
export interface XeroAccessTokenInfo {
  /** Every claim, as sent. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The JOSE header (`alg`, `kid`, `typ`). */
  readonly header: Readonly<Record<string, unknown>>;
  /** `iss`, e.g. https://identity.xero.com. */
  readonly issuer: string;
  /** `exp` as a Date. */
  readonly expiresAt: Date;
  /** The granted scopes: Xero sends `scope` as a JSON array (a space-separated string is accepted too). */
  readonly scopes: readonly string[];
  readonly clientId: string | undefined;
  /** `sub`; absent on Custom Connection tokens. */
  readonly subject: string | undefined;
  /** `authentication_event_id`: the `authEventId` of the connections this consent created. */
  readonly authenticationEventId: string | undefined;
  /** `xero_userid`; absent on Custom Connection tokens. */
  readonly xeroUserId: string | undefined;
}

/**
 * Decodes a JWT access token without verifying it. Throws {@link XeroProtocolError} (without the
 * token in its message) when it is not a JWT with `iss` and a numeric `exp`. Pure.
 */
export function decodeAccessToken(token: string): XeroAccessTokenInfo {
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new XeroProtocolError(
      `The access token is not a JWT (it has ${parts.length} dot-separated parts, a JWT has 3). ` +
        `Pass the access_token of a Xero token response, not the refresh token.`,
    );
  }
  const header = decodePart(parts[0] ?? "", "header");
  const claims = decodePart(parts[1] ?? "", "payload");
  const iss = claims["iss"];
  const exp = claims["exp"];
  if (typeof iss !== "string" || typeof exp !== "number" || !Number.isFinite(exp)) {
    throw new XeroProtocolError(
      `The access token lacks a string "iss" or a numeric "exp" claim, so it is not a Xero access token.`,
    );
  }
  return {
    claims,
    header,
    issuer: iss,
    expiresAt: new Date(exp * 1000),
    scopes: scopesOf(claims["scope"]),
    clientId: optionalString(claims["client_id"]),
    subject: optionalString(claims["sub"]),
    authenticationEventId: optionalString(claims["authentication_event_id"]),
    xeroUserId: optionalString(claims["xero_userid"]),
  };
}

/** Whether a token is expired at `now`, treating `skewSeconds` before expiry as expired. */
export function isAccessTokenExpired(token: Pick<XeroAccessTokenInfo, "expiresAt">, now: Date, skewSeconds = 60): boolean {
  return now.getTime() >= token.expiresAt.getTime() - skewSeconds * 1000;
}

function decodePart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error("not base64url");
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
  } catch {
    throw new XeroProtocolError(`The access token's ${name} is not base64url-encoded JSON, so it is not a JWT.`);
  }
  if (!isObject(value)) throw new XeroProtocolError(`The access token's ${name} is not a JSON object.`);
  return value;
}

function scopesOf(scope: unknown): string[] {
  if (Array.isArray(scope)) return scope.filter((item): item is string => typeof item === "string");
  if (typeof scope === "string") return scope.split(/\s+/).filter((item) => item !== "");
  return [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
