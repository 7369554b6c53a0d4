import { createHash } from "node:crypto";
import type { AuthorizationCode, RefreshToken } from "./token-store";
import { REFRESH_TOKEN_REUSE_GRACE_SECONDS } from "./token-store";

/**
 * Pure decisions of the token endpoint. Each returns undefined when the request may proceed, or a
 * reason (for the request log; Xero answers only `{"error":"invalid_grant"}`).
 */

const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export function authorizationCodeProblem(input: {
  code: AuthorizationCode;
  /** Whether the code had been redeemed before this attempt. */
  wasRedeemed: boolean;
  clientId: string;
  redirectUri: string | null;
  codeVerifier: string | null;
  now: Date;
  lifetimeSeconds: number;
}): string | undefined {
  const { code } = input;
  if (input.wasRedeemed) return "authorization code has already been used";
  if (code.clientId !== input.clientId) return "authorization code was issued to another client";
  if (input.now.getTime() > code.createdAt.getTime() + input.lifetimeSeconds * 1000) return "authorization code has expired";
  if (input.redirectUri !== code.redirectUri) return "redirect_uri does not match the one sent to authorize";
  if (code.codeChallenge === undefined) {
    return input.codeVerifier === null ? undefined : "code_verifier sent but authorize had no code_challenge";
  }
  if (input.codeVerifier === null) return "code_verifier missing for a PKCE authorization";
  if (!VERIFIER_PATTERN.test(input.codeVerifier)) return "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~";
  const challenge = code.codeChallengeMethod === "plain" ? input.codeVerifier : s256Challenge(input.codeVerifier);
  if (challenge !== code.codeChallenge) return "code_verifier does not match code_challenge";
  return undefined;
}

export function refreshTokenProblem(input: {
  token: RefreshToken;
  successor: RefreshToken | undefined;
  clientId: string;
  now: Date;
}): string | undefined {
  const { token, now } = input;
  if (token.clientId !== input.clientId) return "refresh token was issued to another client";
  if (token.revoked) return "refresh token has been revoked or replaced";
  if (now.getTime() >= token.expiresAt.getTime()) return "refresh token has expired (60 days unused)";
  if (token.consumedAt !== undefined) {
    if (now.getTime() > token.consumedAt.getTime() + REFRESH_TOKEN_REUSE_GRACE_SECONDS * 1000) {
      return "refresh token was already used and its 30-minute reuse grace is over";
    }
    if (input.successor !== undefined && input.successor.consumedAt !== undefined) {
      return "refresh token was already used and its replacement has been used since";
    }
  }
  return undefined;
}
