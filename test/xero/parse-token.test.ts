import {
  XeroInvalidClientError,
  XeroInvalidGrantError,
  XeroInvalidScopeError,
  XeroOAuthRequestError,
  XeroProtocolError,
  XeroRateLimitedError,
  XeroUnauthorizedClientError,
  XeroUnavailableError,
} from "../../providers/xero/errors";
import {
  parseOAuthErrorBody,
  parseRevocationResponse,
  parseTokenResponse,
  splitScopes,
  tokenEndpointError,
} from "../../providers/xero/parse-token";
import { CLIENT_ID, CLIENT_SECRET, json, RECEIVED_AT, tokenContext } from "./helpers";

const ok = {
  access_token: "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.sig",
  expires_in: 1800,
  token_type: "Bearer",
  refresh_token: "refresh-1",
  id_token: "id-1",
  scope: "openid offline_access accounting.invoices",
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("parseTokenResponse", () => {
  it("reads a full token response and computes the expiry from when it arrived", () => {
    expect(parseTokenResponse(json(200, ok), tokenContext("authorization_code"))).toEqual({
      accessToken: ok.access_token,
      tokenType: "Bearer",
      expiresInSeconds: 1800,
      expiresAt: new Date(RECEIVED_AT.getTime() + 1_800_000),
      refreshToken: "refresh-1",
      idToken: "id-1",
      scopes: ["openid", "offline_access", "accounting.invoices"],
    });
  });

  it("reads a client credentials response without refresh or id token", () => {
    const set = parseTokenResponse(json(200, { access_token: "a", expires_in: 1800, token_type: "bearer" }), tokenContext("client_credentials"));
    expect(set.refreshToken).toBeUndefined();
    expect(set.idToken).toBeUndefined();
    expect(set.scopes).toEqual([]);
  });

  it("rejects a 200 without access_token as a protocol error", () => {
    const error = thrown(() => parseTokenResponse(json(200, { expires_in: 1800, token_type: "Bearer" }), tokenContext("client_credentials")));
    expect(error).toBeInstanceOf(XeroProtocolError);
    expect(error.message).toBe(
      "Xero's answer to the client_credentials token request could not be used: expected an access_token, got HTTP 200 " +
        "(application/json; charset=utf-8, 41 bytes). Check that the Xero URLs (XERO_IDENTITY_URL, XERO_API_URL) point at " +
        "Xero or the emulator; if they do, report this with the correlation id.",
    );
  });

  it("rejects a token_type other than Bearer", () => {
    expect(thrown(() => parseTokenResponse(json(200, { ...ok, token_type: "mac" }), tokenContext("refresh_token"))).message).toContain(
      'expected token_type "Bearer"',
    );
  });

  it("rejects a non-numeric expires_in", () => {
    expect(thrown(() => parseTokenResponse(json(200, { ...ok, expires_in: "1800" }), tokenContext("refresh_token"))).message).toContain(
      "expected a positive number expires_in",
    );
  });

  it("rejects an HTML page as a protocol error that does not quote the body", () => {
    const error = thrown(() =>
      parseTokenResponse({ status: 200, headers: { "content-type": "text/html" }, bodyText: "<html>refresh_token=abc</html>" }, tokenContext("refresh_token")),
    );
    expect(error).toBeInstanceOf(XeroProtocolError);
    expect(error.message).not.toContain("abc");
  });

  it("maps invalid_client to XeroInvalidClientError keeping error, error_description and status", () => {
    const error = thrown(() => parseTokenResponse(json(400, { error: "invalid_client" }), tokenContext("client_credentials")));
    expect(error).toBeInstanceOf(XeroInvalidClientError);
    expect(error).toMatchObject({ code: "XERO_INVALID_CLIENT", error: "invalid_client", status: 400 });
    expect(error.message).toBe(
      `Xero rejected client ${CLIENT_ID} (invalid_client): the client id is unknown, or its client secret is wrong or was ` +
        "deleted. Check the app in the Xero developer portal (https://developer.xero.com/app/manage) and supply its current client id and secret.",
    );
  });

  it("maps invalid_grant of a refresh to advice about re-authorising", () => {
    const error = thrown(() => parseTokenResponse(json(400, { error: "invalid_grant" }), tokenContext("refresh_token")));
    expect(error).toBeInstanceOf(XeroInvalidGrantError);
    expect(error.message).toBe(
      `Xero rejected the refresh token for client ${CLIENT_ID} (invalid_grant): it was used more than 30 minutes ago, ` +
        "revoked, unused for 60 days, or issued to another client. Re-authorise the connection (a user signs in and consents again in Xero's authorization code flow) to get a new token set.",
    );
  });

  it("maps invalid_grant of a code exchange to advice about starting again", () => {
    expect(thrown(() => parseTokenResponse(json(400, { error: "invalid_grant" }), tokenContext("authorization_code"))).message).toContain(
      "Start the authorization again.",
    );
  });

  it("maps invalid_scope and names the scopes asked for", () => {
    const error = thrown(() =>
      parseTokenResponse(
        json(400, { error: "invalid_scope", error_description: "Client credentials scope validation failed" }),
        tokenContext("client_credentials", { requestedScopes: ["accounting.payments"] }),
      ),
    );
    expect(error).toBeInstanceOf(XeroInvalidScopeError);
    expect((error as XeroInvalidScopeError).error_description).toBe("Client credentials scope validation failed");
    expect(error.message).toBe(
      `Xero refused the scopes asked for by client ${CLIENT_ID} (invalid_scope: Client credentials scope validation failed): ` +
        "ask only for scopes the app or Custom Connection was granted in the developer portal, or ask for none to get all " +
        "granted scopes. Requested: accounting.payments.",
    );
  });

  it("maps unauthorized_client of client credentials to advice that only Custom Connections may", () => {
    const error = thrown(() => parseTokenResponse(json(400, { error: "unauthorized_client" }), tokenContext("client_credentials")));
    expect(error).toBeInstanceOf(XeroUnauthorizedClientError);
    expect(error.message).toBe(
      `Client ${CLIENT_ID} may not use client credentials (unauthorized_client): only Custom Connections can. For a Web or ` +
        "PKCE app use the authorization code flow (a user signs in and consents in Xero); otherwise check the client id.",
    );
  });

  it("maps any other OAuth error to XeroOAuthRequestError", () => {
    const error = thrown(() => parseTokenResponse(json(400, { error: "unsupported_grant_type" }), tokenContext("refresh_token")));
    expect(error).toBeInstanceOf(XeroOAuthRequestError);
    expect((error as XeroOAuthRequestError).code).toBe("XERO_OAUTH_ERROR");
  });

  it("redacts a secret that Xero echoed in error_description", () => {
    const error = thrown(() =>
      parseTokenResponse(json(401, { error: "invalid_client", error_description: `bad secret ${CLIENT_SECRET}` }), tokenContext("client_credentials")),
    ) as XeroInvalidClientError;
    expect(error.error_description).toBe("bad secret [REDACTED]");
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it("maps 429 to XeroRateLimitedError with Retry-After and the limit that was hit", () => {
    const error = thrown(() =>
      parseTokenResponse(json(429, "", { "retry-after": "17", "x-rate-limit-problem": "minute" }), tokenContext("client_credentials")),
    );
    expect(error).toBeInstanceOf(XeroRateLimitedError);
    expect(error).toMatchObject({ code: "XERO_RATE_LIMITED", retryAfterSeconds: 17, problem: "minute" });
    expect(error.message).toBe(
      `Xero refused the client_credentials token request for client ${CLIENT_ID} under its minute rate limit (HTTP 429; ` +
        "it asked to wait 17 s). Wait that long and run again, or spread the calls out (per organisation: 60 a minute, 5,000 a day).",
    );
  });

  it("maps 503 to XeroUnavailableError with reason server_error", () => {
    const error = thrown(() => parseTokenResponse(json(503, "down"), tokenContext("client_credentials")));
    expect(error).toBeInstanceOf(XeroUnavailableError);
    expect(error).toMatchObject({ code: "XERO_UNAVAILABLE", reason: "server_error", status: 503 });
  });

  it("treats a 404 without an OAuth body as a protocol error (a wrong URL)", () => {
    expect(tokenEndpointError(json(404, "Not Found"), tokenContext("client_credentials"))).toBeInstanceOf(XeroProtocolError);
  });
});

describe("parseRevocationResponse", () => {
  it("accepts 200 with an empty body", () => {
    expect(parseRevocationResponse({ status: 200, headers: {}, bodyText: "" }, tokenContext("revocation"))).toBeUndefined();
  });

  it("maps invalid_client", () => {
    expect(() => parseRevocationResponse(json(400, { error: "invalid_client" }), tokenContext("revocation"))).toThrow(XeroInvalidClientError);
  });
});

describe("parseOAuthErrorBody", () => {
  it("reads error and error_description", () => {
    expect(parseOAuthErrorBody({ error: "invalid_grant", error_description: "x" })).toEqual({ error: "invalid_grant", error_description: "x" });
  });

  it("rejects a body whose error is not a string", () => {
    expect(parseOAuthErrorBody({ error: 5 })).toBeUndefined();
    expect(parseOAuthErrorBody(["invalid_grant"])).toBeUndefined();
  });
});

describe("splitScopes", () => {
  it("splits on any whitespace and drops duplicates", () => {
    expect(splitScopes(" openid  email\topenid ")).toEqual(["openid", "email"]);
  });
});
