import { decodeAccessToken, type XeroAccessTokenInfo } from "./access-token";
import { XeroTokenVerificationError } from "./errors";
import type { RawResponse } from "./http";
import { isObject, readJson, stringField, unexpectedResponse, type ParseContext } from "./parse-common";
import type { Redactor } from "./redact";

/** The parts of an OpenID Provider's discovery document the client uses. */
export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly authorizationEndpoint: string | undefined;
  readonly revocationEndpoint: string | undefined;
}

/** A JSON Web Key Set as served at `jwks_uri`; keys are checked by jose when used. */
export interface JsonWebKeySet {
  readonly keys: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** GET /.well-known/openid-configuration, validated. Pure. */
export function parseDiscoveryResponse(response: RawResponse, context: ParseContext): DiscoveryDocument {
  const expected = "an OpenID discovery document with issuer, jwks_uri and token_endpoint";
  if (response.status !== 200) throw unexpectedResponse(response, context, expected);
  const body = readJson(response, context, expected);
  if (!isObject(body)) throw unexpectedResponse(response, context, expected);
  const issuer = stringField(body, "issuer");
  const jwksUri = stringField(body, "jwks_uri");
  const tokenEndpoint = stringField(body, "token_endpoint");
  if (issuer === undefined || jwksUri === undefined || tokenEndpoint === undefined || !isHttpUrl(jwksUri)) {
    throw unexpectedResponse(response, context, expected);
  }
  return {
    issuer,
    jwksUri,
    tokenEndpoint,
    authorizationEndpoint: stringField(body, "authorization_endpoint"),
    revocationEndpoint: stringField(body, "revocation_endpoint"),
  };
}

/** GET jwks_uri, validated to `{"keys":[{…}]}`. Pure. */
export function parseJwksResponse(response: RawResponse, context: ParseContext): JsonWebKeySet {
  const expected = 'a JSON Web Key Set {"keys":[…]}';
  if (response.status !== 200) throw unexpectedResponse(response, context, expected);
  const body = readJson(response, context, expected);
  const keys = isObject(body) ? body["keys"] : undefined;
  if (!Array.isArray(keys) || !keys.every(isObject)) throw unexpectedResponse(response, context, expected);
  return { keys };
}

/** What a verified token must match. */
export interface VerifyExpectations {
  /** The discovery document's `issuer`. */
  readonly issuer: string;
  /** Expected `aud`. Xero: https://identity.xero.com/resources. */
  readonly audience: string | undefined;
  /** The time to check `exp`/`nbf` against. */
  readonly now: Date;
  /** Seconds of clock difference tolerated. @default 30 */
  readonly clockToleranceSeconds?: number;
}

/**
 * Verifies an RS256 JWT's signature against `jwks` and its `iss`, `aud`, `exp`, `nbf`, and resolves
 * with its claims. Rejects with {@link XeroTokenVerificationError} (whose `context.joseCode` is
 * `ERR_JWKS_NO_MATCHING_KEY` when no key matched its `kid`, so the caller can refetch the keys once).
 * jose is loaded here, on first use, so code that never verifies never pays for loading it.
 * @param tokenName how messages name the token ("access token", "id token")
 */
export async function verifyJwtWithJwks(
  token: string,
  jwks: JsonWebKeySet,
  expect: VerifyExpectations,
  redactor: Redactor,
  tokenName: string,
): Promise<Record<string, unknown>> {
  const jose = await import("jose");
  const keySet = jose.createLocalJWKSet({ keys: jwks.keys as unknown as import("jose").JWK[] });
  try {
    const { payload } = await jose.jwtVerify(token, keySet, {
      issuer: expect.issuer,
      ...(expect.audience === undefined ? {} : { audience: expect.audience }),
      algorithms: ["RS256"],
      currentDate: expect.now,
      clockTolerance: expect.clockToleranceSeconds ?? 30,
    });
    return payload as Record<string, unknown>;
  } catch (error) {
    throw verificationError(error, expect, redactor, tokenName);
  }
}

/** {@link verifyJwtWithJwks} for an access token, decoded into what it says about itself. */
export async function verifyWithJwks(
  token: string,
  jwks: JsonWebKeySet,
  expect: VerifyExpectations,
  redactor: Redactor,
): Promise<XeroAccessTokenInfo> {
  await verifyJwtWithJwks(token, jwks, expect, redactor, "access token");
  return decodeAccessToken(token);
}

function verificationError(error: unknown, expect: VerifyExpectations, redactor: Redactor, tokenName: string): XeroTokenVerificationError {
  const joseCode = typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "unknown";
  const claim = (error as { claim?: unknown }).claim;
  const why: Record<string, string> = {
    ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "its signature does not match the issuer's keys",
    ERR_JWKS_NO_MATCHING_KEY: "no key of the issuer's JWKS matches its kid",
    ERR_JWT_EXPIRED: "it has expired",
    ERR_JOSE_ALG_NOT_ALLOWED: "it is not signed with RS256",
    ERR_JWS_INVALID: "it is not a valid JWS",
    ERR_JWT_INVALID: "it is not a valid JWT",
    ERR_JWT_CLAIM_VALIDATION_FAILED: `its "${typeof claim === "string" ? claim : "?"}" claim does not match`,
  };
  return new XeroTokenVerificationError(
    `The ${tokenName} failed verification against issuer ${expect.issuer}: ${why[joseCode] ?? redactor.text(String((error as Error).message))}. ` +
      `Do not use it: get a new token, and check that XERO_IDENTITY_URL names the server that issued it.`,
    { cause: redactor.error(error), context: { joseCode, issuer: expect.issuer, audience: expect.audience, token: tokenName } },
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
