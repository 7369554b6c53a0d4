import { createHash, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload } from "jose";

/**
 * The emulator's RS256 signing key: signs access and id tokens, publishes the JWKS and verifies
 * bearer tokens at the API. A fresh key per emulator, as no test should trust an old one.
 */
export const ACCESS_TOKEN_AUDIENCE = "https://identity.xero.com/resources";

export class TokenSigner {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly publicJwk: JWK,
    /** Like Xero's: 40 uppercase hex characters (a SHA-1 thumbprint). */
    readonly kid: string,
  ) {}

  static async create(): Promise<TokenSigner> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const publicKeyObject = publicKey as KeyObject;
    const der = publicKeyObject.export({ type: "spki", format: "der" });
    const kid = createHash("sha1").update(der).digest("hex").toUpperCase();
    const jwk = await exportJWK(publicKey);
    return new TokenSigner(privateKey as KeyObject, publicKeyObject, { kty: jwk.kty, use: "sig", kid, e: jwk.e, n: jwk.n, alg: "RS256" }, kid);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** Signs the claims exactly as given (their order is kept in the token). */
  sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: "RS256", kid: this.kid, typ: "JWT" }).sign(this.privateKey);
  }

  /** The verified claims of a bearer token, or undefined when it is not one of ours or not valid now. */
  async verifyAccessToken(token: string, issuer: string, now: Date): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ["RS256"],
        issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        currentDate: now,
        clockTolerance: 0,
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}

/** OIDC `at_hash`: base64url of the left half of SHA-256 of the access token. */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken, "ascii").digest().subarray(0, 16).toString("base64url");
}
