import { decodeAccessToken, isAccessTokenExpired } from "../../providers/xero/access-token";
import { XeroProtocolError } from "../../providers/xero/errors";
import { unsignedJwt } from "./helpers";

const claims = {
  nbf: 1767225600,
  exp: 1767227400,
  iss: "https://identity.xero.com",
  aud: "https://identity.xero.com/resources",
  client_id: "6E4D953BAAE949D1A1B399307AD58B94",
  sub: "b5b5f3d4",
  xero_userid: "e3d7f9aa",
  authentication_event_id: "d99ecdfe-391d-43d2-b834-17636ba90e8d",
  scope: ["email", "profile", "openid", "accounting.invoices", "offline_access"],
};

describe("decodeAccessToken", () => {
  it("reads issuer, expiry, scopes as an array and Xero's ids", () => {
    const info = decodeAccessToken(unsignedJwt(claims));
    expect(info).toMatchObject({
      issuer: "https://identity.xero.com",
      expiresAt: new Date("2026-01-01T00:30:00Z"),
      scopes: ["email", "profile", "openid", "accounting.invoices", "offline_access"],
      clientId: "6E4D953BAAE949D1A1B399307AD58B94",
      subject: "b5b5f3d4",
      xeroUserId: "e3d7f9aa",
      authenticationEventId: "d99ecdfe-391d-43d2-b834-17636ba90e8d",
    });
    expect(info.header).toEqual({ alg: "RS256", kid: "k1" });
  });

  it("accepts a space-separated scope string", () => {
    expect(decodeAccessToken(unsignedJwt({ ...claims, scope: "openid email" })).scopes).toEqual(["openid", "email"]);
  });

  it("reads a Custom Connection token without user claims", () => {
    const { sub: _s, xero_userid: _x, ...machine } = claims;
    const info = decodeAccessToken(unsignedJwt(machine));
    expect(info.subject).toBeUndefined();
    expect(info.xeroUserId).toBeUndefined();
  });

  it("rejects an opaque string without quoting it", () => {
    const error = (() => {
      try {
        decodeAccessToken("opaque-refresh-token-value");
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(XeroProtocolError);
    expect(error?.message).toBe(
      "The access token is not a JWT (it has 1 dot-separated parts, a JWT has 3). Pass the access_token of a Xero token response, not the refresh token.",
    );
  });

  it("rejects a JWT without exp", () => {
    const { exp: _e, ...noExp } = claims;
    expect(() => decodeAccessToken(unsignedJwt(noExp))).toThrow('The access token lacks a string "iss" or a numeric "exp" claim');
  });

  it("rejects a payload that is not base64url JSON", () => {
    expect(() => decodeAccessToken("eyJhbGciOiJSUzI1NiJ9.!!!.sig")).toThrow("The access token's payload is not base64url-encoded JSON");
  });
});

describe("isAccessTokenExpired", () => {
  const token = { expiresAt: new Date("2026-01-01T00:30:00Z") };

  it("counts a token within the skew of its expiry as expired", () => {
    expect(isAccessTokenExpired(token, new Date("2026-01-01T00:29:30Z"), 60)).toBe(true);
  });

  it("counts a token well before expiry as live", () => {
    expect(isAccessTokenExpired(token, new Date("2026-01-01T00:10:00Z"), 60)).toBe(false);
  });
});
