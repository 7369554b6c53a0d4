import { inspect } from "node:util";
import { ConfigError } from "../../providers/errors";
import {
  XeroInvalidClientError,
  XeroProtocolError,
  XeroRefreshOutcomeUnknownError,
  XeroUnauthorizedClientError,
  XeroUnavailableError,
} from "../../providers/xero/errors";
import { fakeClient, ScriptedHttp, tokenOk } from "./fake-http";
import { CLIENT_ID, CLIENT_SECRET, json, rejection } from "./helpers";

const REFRESH = "refresh-token-old-0123456789";
const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;

describe("client authentication", () => {
  it("sends the secret as HTTP Basic by default", async () => {
    const http = new ScriptedHttp(tokenOk());
    await fakeClient(http).client.clientCredentials();
    expect(http.requests[0]?.headers["authorization"]).toBe(basic);
    expect(http.form(0)).toEqual({ grant_type: "client_credentials" });
  });

  it("sends client_id and client_secret in the body with client_secret_post", async () => {
    const http = new ScriptedHttp(tokenOk());
    await fakeClient(http, { clientAuthMethod: "client_secret_post" }).client.clientCredentials({ scopes: ["accounting.invoices", "accounting.contacts"] });
    expect(http.requests[0]?.headers["authorization"]).toBeUndefined();
    expect(http.form(0)).toEqual({
      grant_type: "client_credentials",
      scope: "accounting.invoices accounting.contacts",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it("sends only client_id and the verifier for a PKCE app", async () => {
    const http = new ScriptedHttp(tokenOk({ refresh_token: "r" }));
    const { client } = fakeClient(http, { clientSecret: undefined });
    await client.exchangeAuthorizationCode({ code: "code-1", redirectUri: "http://localhost/cb", codeVerifier: "v".repeat(43) });
    expect(http.requests[0]?.headers["authorization"]).toBeUndefined();
    expect(http.form(0)).toEqual({
      grant_type: "authorization_code",
      code: "code-1",
      redirect_uri: "http://localhost/cb",
      code_verifier: "v".repeat(43),
      client_id: CLIENT_ID,
    });
  });

  it("refuses a PKCE code exchange without a verifier before sending anything", async () => {
    const http = new ScriptedHttp();
    const error = await rejection(fakeClient(http, { clientSecret: undefined }).client.exchangeAuthorizationCode({ code: "c", redirectUri: "http://localhost/cb" }));
    expect(error).toEqual(new ConfigError(`client ${CLIENT_ID} has no client secret, so it is a PKCE app: pass the codeVerifier of the authorize request`));
    expect(http.requests).toHaveLength(0);
  });
});

describe("refresh", () => {
  it("returns the rotated token set", async () => {
    const http = new ScriptedHttp(tokenOk({ refresh_token: "refresh-new" }));
    const set = await fakeClient(http).client.refresh(REFRESH);
    expect(set.refreshToken).toBe("refresh-new");
    expect(http.form(0)).toEqual({ grant_type: "refresh_token", refresh_token: REFRESH });
  });

  it("does not re-send a refresh whose answer was lost, and says until when the old token works", async () => {
    const http = new ScriptedHttp("reset");
    const { client } = fakeClient(http, { refreshGraceSeconds: 1800 });
    const error = (await rejection(client.refresh(REFRESH))) as XeroRefreshOutcomeUnknownError;
    expect(http.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    expect(error).toBeInstanceOf(XeroUnavailableError);
    expect(error.code).toBe("XERO_REFRESH_OUTCOME_UNKNOWN");
    expect(error.reason).toBe("network");
    expect(error.graceExpiresAt).toEqual(new Date("2026-01-01T00:30:00Z"));
    expect(error.message).toBe(
      `Xero did not confirm the refresh for client ${CLIENT_ID} (POST https://identity.xero.com/connect/token: scripted reset); ` +
        "it may or may not have rotated the refresh token. It was not sent again. The same refresh token stays usable until " +
        "2026-01-01T00:30:00.000Z (Xero's grace period): refresh again with it before then (error.retry()); after that the " +
        "connection must be re-authorised.",
    );
  });

  it("treats a timed-out refresh as an unknown outcome with reason timeout", async () => {
    const error = (await rejection(fakeClient(new ScriptedHttp("timeout")).client.refresh(REFRESH))) as XeroRefreshOutcomeUnknownError;
    expect(error.reason).toBe("timeout");
  });

  it("treats a 5xx answer to a refresh as an unknown outcome without re-sending", async () => {
    const http = new ScriptedHttp(json(502, "bad gateway"));
    const error = (await rejection(fakeClient(http).client.refresh(REFRESH))) as XeroRefreshOutcomeUnknownError;
    expect(http.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: "XERO_REFRESH_OUTCOME_UNKNOWN", reason: "server_error", status: 502 });
  });

  it("lets the caller recover by sending the same token once more through error.retry()", async () => {
    const http = new ScriptedHttp("reset", tokenOk({ refresh_token: "refresh-new" }));
    const error = (await rejection(fakeClient(http).client.refresh(REFRESH))) as XeroRefreshOutcomeUnknownError;
    expect(error.sentRefreshToken()).toBe(REFRESH);
    const set = await error.retry<{ refreshToken: string }>();
    expect(set.refreshToken).toBe("refresh-new");
    expect(http.form(1)).toEqual({ grant_type: "refresh_token", refresh_token: REFRESH });
  });

  it("keeps the refresh token out of the message, context, cause and inspection of the error", async () => {
    const error = await rejection(fakeClient(new ScriptedHttp("reset")).client.refresh(REFRESH));
    const printed = inspect(error, { depth: Infinity, showHidden: true }) + JSON.stringify(error) + JSON.stringify((error as XeroRefreshOutcomeUnknownError).context);
    expect(printed).not.toContain(REFRESH);
    expect(printed).not.toContain(CLIENT_SECRET);
  });

  it("retries a refresh that Xero answered 429, since it was not processed", async () => {
    const http = new ScriptedHttp(json(429, "", { "retry-after": "2" }), tokenOk({ refresh_token: "refresh-new" }));
    const { client, sleeps } = fakeClient(http);
    await client.refresh(REFRESH);
    expect(sleeps).toEqual([2000]);
    expect(http.requests).toHaveLength(2);
  });

  it("retries a refresh whose connection was refused, since it never left", async () => {
    const http = new ScriptedHttp("connect", tokenOk({ refresh_token: "refresh-new" }));
    const { client, sleeps } = fakeClient(http);
    await client.refresh(REFRESH);
    expect(sleeps).toEqual([125]);
  });
});

describe("authorization code exchange", () => {
  it("does not re-send a code whose answer was lost", async () => {
    const http = new ScriptedHttp("reset");
    const error = await rejection(fakeClient(http).client.exchangeAuthorizationCode({ code: "c", redirectUri: "http://localhost/cb" }));
    expect(http.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(XeroUnavailableError);
    expect(error.message).toBe(
      `Xero did not confirm the authorization_code token request for client ${CLIENT_ID} (POST https://identity.xero.com/connect/token: ` +
        "scripted reset); it was not sent again because the authorization code may have been spent. Start the authorization again.",
    );
  });

  it("does not re-send a code that Xero answered with a 5xx", async () => {
    const http = new ScriptedHttp(json(500, ""));
    const error = await rejection(fakeClient(http).client.exchangeAuthorizationCode({ code: "c", redirectUri: "http://localhost/cb" }));
    expect(http.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: "XERO_UNAVAILABLE", reason: "server_error", status: 500 });
  });

  it("retries a code exchange whose connection was refused, since it never left", async () => {
    const http = new ScriptedHttp("connect", tokenOk());
    await fakeClient(http).client.exchangeAuthorizationCode({ code: "c", redirectUri: "http://localhost/cb" });
    expect(http.requests).toHaveLength(2);
  });
});

describe("idempotent calls", () => {
  it("backs off exponentially through 5xx answers and returns the success", async () => {
    const http = new ScriptedHttp(json(503, ""), json(500, ""), json(200, []));
    const { client, sleeps } = fakeClient(http);
    expect(await client.listConnections("access")).toEqual([]);
    expect(sleeps).toEqual([125, 250]);
  });

  it("gives up after maxAttempts with XeroUnavailableError", async () => {
    const http = new ScriptedHttp("timeout", "timeout");
    const error = await rejection(fakeClient(http, { retry: { maxAttempts: 2 } }).client.listConnections("access"));
    expect(error).toBeInstanceOf(XeroUnavailableError);
    expect(error).toMatchObject({ code: "XERO_UNAVAILABLE", reason: "timeout" });
    expect(error.message).toBe(
      "Could not complete GET /connections with Xero: GET https://api.xero.com/connections: scripted timeout (2 attempts). " +
        "Check network access to Xero and the XERO_*_URL settings, then try again.",
    );
  });

  it("sends authEventId as a query parameter", async () => {
    const http = new ScriptedHttp(json(200, []));
    await fakeClient(http).client.listConnections("access", { authEventId: "d99ecdfe" });
    expect(http.requests[0]?.url).toBe("https://api.xero.com/connections?authEventId=d99ecdfe");
    expect(http.requests[0]?.headers["authorization"]).toBe("Bearer access");
  });

  it("counts a 404 after a lost DELETE as done", async () => {
    const http = new ScriptedHttp("reset", json(404, ""));
    await expect(fakeClient(http).client.deleteConnection("access", "conn-1")).resolves.toBeUndefined();
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "DELETE https://api.xero.com/connections/conn-1",
      "DELETE https://api.xero.com/connections/conn-1",
    ]);
  });
});

describe("probeClient", () => {
  it("calls a client valid when Xero answers invalid_grant", async () => {
    const http = new ScriptedHttp(json(400, { error: "invalid_grant" }));
    expect(await fakeClient(http).client.probeClient()).toEqual({ valid: true, clientId: CLIENT_ID });
    expect(http.form(0)).toEqual({
      grant_type: "authorization_code",
      code: "cdktf-xero-probe-01010101010101010101010101010101",
      redirect_uri: "https://localhost/cdktf-xero/probe",
    });
  });

  it("returns invalid_client as a result, not a throw", async () => {
    const result = await fakeClient(new ScriptedHttp(json(400, { error: "invalid_client" }))).client.probeClient();
    expect(result.valid).toBe(false);
    expect(result.valid === false && result.error).toBeInstanceOf(XeroInvalidClientError);
  });

  it("throws unauthorized_client with advice that the client is probably a Custom Connection", async () => {
    const error = await rejection(fakeClient(new ScriptedHttp(json(400, { error: "unauthorized_client" }))).client.probeClient());
    expect(error).toBeInstanceOf(XeroUnauthorizedClientError);
    expect(error.message).toBe(
      `Client ${CLIENT_ID} authenticated but may not use the authorization code grant (unauthorized_client): it is probably a Custom Connection. Verify it with client credentials instead.`,
    );
  });

  it("throws a protocol error when the deliberately invalid code is accepted", async () => {
    expect(await rejection(fakeClient(new ScriptedHttp(tokenOk())).client.probeClient())).toBeInstanceOf(XeroProtocolError);
  });

  it("adds a well-formed code_verifier for a PKCE app", async () => {
    const http = new ScriptedHttp(json(400, { error: "invalid_grant" }));
    await fakeClient(http, { clientSecret: undefined }).client.probeClient();
    expect(http.form(0)["code_verifier"]).toHaveLength(43);
    expect(http.form(0)["client_id"]).toBe(CLIENT_ID);
  });
});

describe("logging", () => {
  it("logs each attempt with its decision and never a secret or token", async () => {
    const http = new ScriptedHttp(json(503, "", { "xero-correlation-id": "corr-1" }), tokenOk({ refresh_token: "refresh-new" }));
    const { client, lines } = fakeClient(http, { clientAuthMethod: "client_secret_post" });
    await client.refresh(REFRESH).catch(() => undefined);
    await client.clientCredentials();
    expect(lines[0]).toBe(
      'xero: the refresh_token token request: POST https://identity.xero.com/connect/token attempt 1 -> 503 {"attempt":1,"elapsedMs":0,"decision":"503 on a non-idempotent request","correlationId":"corr-1"}',
    );
    for (const line of lines) {
      expect(line).not.toContain(REFRESH);
      expect(line).not.toContain(CLIENT_SECRET);
      expect(line).not.toContain("access-1");
    }
  });
});
