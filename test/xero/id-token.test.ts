import { buildAuthorizeUrl } from "../../providers/xero/authorize-url";
import { XERO_ENDPOINTS } from "../../providers/xero/endpoints";
import { XeroTokenVerificationError } from "../../providers/xero/errors";
import { accessTokenHash, checkIdTokenClaims } from "../../providers/xero/id-token";
import { createNonce } from "../../providers/xero/pkce";
import { CLIENT_ID } from "./helpers";

const CLAIMS = {
  nbf: 1767225600,
  exp: 1767225900,
  iss: "https://identity.xero.com",
  aud: CLIENT_ID,
  iat: 1767225600,
  nonce: "n-1",
  at_hash: accessTokenHash("access-token-1"),
  sid: "SID",
  sub: "0123456789abcdef0123456789abcdef",
  auth_time: 1767225590,
  idp: "Xero",
  xero_userid: "1d7a1f2e-0000-4000-8000-000000000001",
  global_session_id: "gs-1",
  preferred_username: "ada@example.com",
  email: "ada@example.com",
  given_name: "Ada",
  family_name: "Lovelace",
  amr: ["pwd"],
};

const thrown = (f: () => unknown): XeroTokenVerificationError => {
  try {
    f();
  } catch (error) {
    return error as XeroTokenVerificationError;
  }
  throw new Error("expected a throw");
};

describe("id token claims", () => {
  it("types who consented from Xero's claims", () => {
    expect(checkIdTokenClaims(CLAIMS, { nonce: "n-1", accessToken: "access-token-1" })).toMatchObject({
      subject: CLAIMS.sub,
      xeroUserId: CLAIMS.xero_userid,
      email: "ada@example.com",
      givenName: "Ada",
      familyName: "Lovelace",
      authTime: new Date(1767225590 * 1000),
      expiresAt: new Date(1767225900 * 1000),
    });
  });

  it("rejects another nonce without naming either", () => {
    const error = thrown(() => checkIdTokenClaims(CLAIMS, { nonce: "n-2" }));
    expect(error).toBeInstanceOf(XeroTokenVerificationError);
    expect(error.context).toMatchObject({ joseCode: "nonce_mismatch" });
    expect(error.message).not.toMatch(/n-1|n-2/);
  });

  it("rejects an id token without a nonce", () => {
    const { nonce: _omitted, ...claims } = CLAIMS;
    expect(thrown(() => checkIdTokenClaims(claims, { nonce: "n-1" })).message).toContain("carries no nonce");
  });

  it("rejects an at_hash of another access token", () => {
    expect(thrown(() => checkIdTokenClaims(CLAIMS, { nonce: "n-1", accessToken: "access-token-2" })).context).toMatchObject({ joseCode: "at_hash_mismatch" });
  });

  it("computes at_hash as OpenID Connect's example does", () => {
    // OpenID Connect Core, Appendix A.3/A.4: this access token hashes to 77QmUPtjPfzWtF2AnpK9RQ.
    expect(accessTokenHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")).toBe("77QmUPtjPfzWtF2AnpK9RQ");
  });

  it("rejects claims without sub", () => {
    const { sub: _omitted, ...claims } = CLAIMS;
    expect(thrown(() => checkIdTokenClaims(claims, { nonce: "n-1" })).context).toMatchObject({ joseCode: "claims_invalid" });
  });
});

describe("the authorize URL's nonce", () => {
  const params = { clientId: CLIENT_ID, redirectUri: "http://localhost:7001/cb", scopes: ["openid"], state: "s-1" };

  it("goes between state and the PKCE challenge", () => {
    const url = buildAuthorizeUrl(XERO_ENDPOINTS, { ...params, nonce: "n-1", codeChallenge: "c".repeat(43) });
    expect(url).toContain("&state=s-1&nonce=n-1&code_challenge=");
  });

  it("is refused when empty", () => {
    expect(() => buildAuthorizeUrl(XERO_ENDPOINTS, { ...params, nonce: "" })).toThrow("nonce must not be empty when given; use createNonce()");
  });

  it("is 32 base64url characters from 24 random bytes", () => {
    expect(createNonce(() => new Uint8Array(24).fill(255))).toBe("_".repeat(32));
  });
});
