import { ConfigError } from "../../providers/errors";
import { buildAuthorizeUrl } from "../../providers/xero/authorize-url";
import { XERO_ENDPOINTS } from "../../providers/xero/endpoints";
import {
  codeChallengeS256,
  createCodeVerifier,
  createPkcePair,
  createState,
  isValidCodeVerifier,
} from "../../providers/xero/pkce";

const fixedBytes = (size: number): Uint8Array => new Uint8Array(size).fill(7);

describe("PKCE", () => {
  it("creates a 43-character verifier of unreserved characters from 32 random bytes", () => {
    const verifier = createCodeVerifier(fixedBytes);
    expect(verifier).toHaveLength(43);
    expect(isValidCodeVerifier(verifier)).toBe(true);
  });

  it("creates a 128-character verifier from 96 random bytes", () => {
    expect(createCodeVerifier(fixedBytes, 96)).toHaveLength(128);
  });

  it("refuses a byte length that would leave the 43-128 range", () => {
    expect(() => createCodeVerifier(fixedBytes, 31)).toThrow(
      new ConfigError("PKCE verifier byteLength must be an integer from 32 to 96, got 31"),
    );
  });

  it("computes the S256 challenge of RFC 7636's example verifier", () => {
    expect(codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("rejects a too-short verifier by length without echoing it", () => {
    expect(() => codeChallengeS256("short-secret")).toThrow(
      "PKCE code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~, got 12 characters",
    );
  });

  it("rejects a verifier with characters outside the unreserved set", () => {
    expect(() => codeChallengeS256("a".repeat(42) + "+")).toThrow(
      "PKCE code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~, got 43 characters including characters outside that set",
    );
  });

  it("pairs a verifier with its challenge and the S256 method", () => {
    const pair = createPkcePair(fixedBytes);
    expect(pair.codeChallenge).toBe(codeChallengeS256(pair.codeVerifier));
    expect(pair.codeChallengeMethod).toBe("S256");
  });

  it("creates a base64url state from 24 random bytes", () => {
    expect(createState(fixedBytes)).toBe(Buffer.from(fixedBytes(24)).toString("base64url"));
  });
});

describe("buildAuthorizeUrl", () => {
  const base = { clientId: "ABC", redirectUri: "http://localhost:3000/cb", scopes: ["openid", "offline_access"], state: "st" };

  it("builds Xero's authorize URL with space-separated scopes encoded as %20", () => {
    expect(buildAuthorizeUrl(XERO_ENDPOINTS, base)).toBe(
      "https://login.xero.com/identity/connect/authorize?response_type=code&client_id=ABC" +
        "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&scope=openid%20offline_access&state=st",
    );
  });

  it("adds code_challenge and code_challenge_method=S256 for PKCE", () => {
    const url = new URL(buildAuthorizeUrl(XERO_ENDPOINTS, { ...base, codeChallenge: "chal" }));
    expect(url.searchParams.get("code_challenge")).toBe("chal");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("rejects an empty scope list", () => {
    expect(() => buildAuthorizeUrl(XERO_ENDPOINTS, { ...base, scopes: [] })).toThrow("scopes must name at least one scope, got none");
  });

  it("rejects a scope containing a space, naming its index", () => {
    expect(() => buildAuthorizeUrl(XERO_ENDPOINTS, { ...base, scopes: ["openid", "a b"] })).toThrow(
      'scopes[1] must be one scope name without spaces or quotes, got "a b"',
    );
  });
});
