import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";
import { ConfigError } from "../errors";

/** Cryptographically strong random bytes; injected so tests can fix them. */
export type RandomBytes = (size: number) => Uint8Array;

/** RFC 7636 §4.1: 43–128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A PKCE verifier and its S256 challenge. Keep the verifier secret until the token exchange. */
export interface PkcePair {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
  readonly codeChallengeMethod: "S256";
}

/** Whether a string is a valid PKCE code verifier. */
export function isValidCodeVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier);
}

/**
 * A new code verifier: base64url of `byteLength` random bytes.
 * @param byteLength 32 gives 43 characters (the minimum), 96 gives 128 (the maximum). @default 32
 */
export function createCodeVerifier(randomBytes: RandomBytes = nodeRandomBytes, byteLength = 32): string {
  if (!Number.isInteger(byteLength) || byteLength < 32 || byteLength > 96) {
    throw new ConfigError(`PKCE verifier byteLength must be an integer from 32 to 96, got ${byteLength}`);
  }
  return Buffer.from(randomBytes(byteLength)).toString("base64url");
}

/** `base64url(sha256(verifier))`, the S256 code challenge. Xero (and the emulator) reject `plain`. */
export function codeChallengeS256(codeVerifier: string): string {
  if (!isValidCodeVerifier(codeVerifier)) {
    // The verifier is a secret: say what is wrong with it, never what it is.
    throw new ConfigError(
      `PKCE code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~, got ${codeVerifier.length} characters` +
        (/^[A-Za-z0-9\-._~]*$/.test(codeVerifier) ? "" : " including characters outside that set"),
    );
  }
  return createHash("sha256").update(codeVerifier, "ascii").digest("base64url");
}

/** A fresh verifier and its S256 challenge. */
export function createPkcePair(randomBytes: RandomBytes = nodeRandomBytes): PkcePair {
  const codeVerifier = createCodeVerifier(randomBytes);
  return { codeVerifier, codeChallenge: codeChallengeS256(codeVerifier), codeChallengeMethod: "S256" };
}

/** An unguessable `state` value for an authorize request (CSRF protection). */
export function createState(randomBytes: RandomBytes = nodeRandomBytes): string {
  return Buffer.from(randomBytes(24)).toString("base64url");
}

/** An unguessable OpenID Connect `nonce`, bound into the id token of one sign-in (replay protection). */
export function createNonce(randomBytes: RandomBytes = nodeRandomBytes): string {
  return Buffer.from(randomBytes(24)).toString("base64url");
}
