import { createHash, timingSafeEqual } from "node:crypto";
import { XeroTokenVerificationError } from "./errors";

/**
 * The id token of a consent, after its signature, `iss`, `aud` and expiry were verified: who
 * consented. Xero's Node SDK declares these claims as `XeroIdToken`; the person's names come as
 * `given_name` and `family_name` (with the `profile` scope), the email with `email`.
 */
export interface XeroIdTokenClaims {
  /** `sub`: the OIDC subject, distinct from `xero_userid`. */
  readonly subject: string;
  /** `xero_userid`: the user's id in Xero. */
  readonly xeroUserId: string | undefined;
  /** `email` (with the `email` scope). */
  readonly email: string | undefined;
  /** `preferred_username` (Xero: the email). */
  readonly preferredUsername: string | undefined;
  /** `given_name` (with the `profile` scope). */
  readonly givenName: string | undefined;
  /** `family_name` (with the `profile` scope). */
  readonly familyName: string | undefined;
  /** `auth_time`: when the user signed in. */
  readonly authTime: Date | undefined;
  /** `sid` and `global_session_id`: the sign-in session. */
  readonly sessionId: string | undefined;
  readonly globalSessionId: string | undefined;
  /** `iat` and `exp`. */
  readonly issuedAt: Date | undefined;
  readonly expiresAt: Date;
  /** Every claim, as sent. */
  readonly claims: Readonly<Record<string, unknown>>;
}

function idTokenError(message: string, joseCode: string): XeroTokenVerificationError {
  return new XeroTokenVerificationError(message, { context: { joseCode, token: "id token" } });
}

const optionalString = (claims: Record<string, unknown>, name: string): string | undefined =>
  typeof claims[name] === "string" ? (claims[name] as string) : undefined;

const optionalDate = (claims: Record<string, unknown>, name: string): Date | undefined =>
  typeof claims[name] === "number" ? new Date((claims[name] as number) * 1000) : undefined;

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** OIDC Core 3.1.3.6: base64url of the left half of SHA-256 of the access token (RS256). */
export function accessTokenHash(accessToken: string): string {
  const digest = createHash("sha256").update(accessToken, "ascii").digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

/**
 * Checks what jose does not: the `nonce` this client sent to authorize (replay protection) and,
 * when Xero sent `at_hash`, that the id token belongs to this access token; then types the claims.
 * The claims must already be signature-, issuer-, audience- and expiry-checked. Pure.
 * Throws {@link XeroTokenVerificationError} with `context.joseCode` `nonce_mismatch`,
 * `at_hash_mismatch` or `claims_invalid`; never with the nonce or a token in its message.
 */
export function checkIdTokenClaims(
  claims: Record<string, unknown>,
  expect: { readonly nonce: string; readonly accessToken?: string },
): XeroIdTokenClaims {
  const nonce = claims["nonce"];
  if (typeof nonce !== "string" || !sameText(nonce, expect.nonce)) {
    throw idTokenError(
      `The id token ${typeof nonce === "string" ? "carries a nonce other than the one this client sent" : "carries no nonce, though this client sent one"} ` +
        `to authorize: it was not issued for this sign-in (a replayed or injected response). Nothing was stored: run the consent again.`,
      "nonce_mismatch",
    );
  }
  const atHash = claims["at_hash"];
  if (expect.accessToken !== undefined && atHash !== undefined && (typeof atHash !== "string" || !sameText(atHash, accessTokenHash(expect.accessToken)))) {
    throw idTokenError(
      "The id token's at_hash does not match the access token it came with: the token response was tampered with. Nothing was stored: run the consent again.",
      "at_hash_mismatch",
    );
  }
  const subject = optionalString(claims, "sub");
  const exp = claims["exp"];
  if (subject === undefined || typeof exp !== "number") {
    throw idTokenError("The id token has no sub or no numeric exp: the identity server does not behave like Xero. Check XERO_IDENTITY_URL.", "claims_invalid");
  }
  return {
    subject,
    xeroUserId: optionalString(claims, "xero_userid"),
    email: optionalString(claims, "email"),
    preferredUsername: optionalString(claims, "preferred_username"),
    givenName: optionalString(claims, "given_name"),
    familyName: optionalString(claims, "family_name"),
    authTime: optionalDate(claims, "auth_time"),
    sessionId: optionalString(claims, "sid"),
    globalSessionId: optionalString(claims, "global_session_id"),
    issuedAt: optionalDate(claims, "iat"),
    expiresAt: new Date(exp * 1000),
    claims: Object.freeze({ ...claims }),
  };
}
