import { startEmulator } from "../../emulator";
import { basic, bearer, clientCredentials, codeFor, createCustomConnection, createWebApp, del, get, postForm, REDIRECT_URI, startFixture, userTokens, type Fixture, type TokenSet } from "./helpers";

let fixture: Fixture;
let connectionsUrl: string;
beforeAll(async () => {
  fixture = await startFixture();
  connectionsUrl = `${fixture.emulator.apiUrl}/connections`;
});
afterAll(async () => {
  await fixture.emulator.close();
});

interface Connection {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: string;
  tenantName: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

async function listConnections(accessToken: string, query = ""): Promise<Connection[]> {
  const result = await get(`${connectionsUrl}${query}`, bearer(accessToken));
  if (result.status !== 200) throw new Error(`GET /connections answered ${result.status}`);
  return result.json as Connection[];
}

describe("GET /connections", () => {
  it("lists the organisations the user ticked, with Xero's fields in Xero's order", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    const connections = await listConnections(tokens.access_token);
    expect(connections).toHaveLength(2);
    expect(Object.keys(connections[0] ?? {})).toEqual(["id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"]);
    expect(connections.map((c) => [c.tenantId, c.tenantType, c.tenantName])).toEqual([
      [fixture.tenantIds[0], "ORGANISATION", "Demo Company (NZ)"],
      [fixture.tenantIds[1], "PRACTICE", "Practice Ltd"],
    ]);
  });

  it("writes timestamps with seven fractional digits and no Z", async () => {
    const app = await createWebApp(fixture);
    const [connection] = await listConnections((await userTokens(fixture, app, "accounting.invoices")).access_token);
    expect(connection?.createdDateUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/);
    expect(connection?.updatedDateUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/);
  });

  it("filters by authEventId to the connections one sign-in made", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "accounting.invoices");
    const [connection] = await listConnections(tokens.access_token);
    const authEventId = connection?.authEventId ?? "";
    expect(await listConnections(tokens.access_token, `?authEventId=${authEventId}`)).toHaveLength(2);
    expect(await listConnections(tokens.access_token, "?authEventId=00000000-0000-0000-0000-000000000000")).toEqual([]);
  });

  it("makes no connection when only identity scopes are asked for", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "openid profile email");
    expect(await listConnections(tokens.access_token)).toEqual([]);
  });

  it("keeps the connection id but changes updatedDateUtc and authEventId when the user reconnects", async () => {
    const app = await createWebApp(fixture);
    const before = await listConnections((await userTokens(fixture, app, "accounting.invoices")).access_token);
    await fixture.emulator.admin.advanceClock(60);
    const after = await listConnections((await userTokens(fixture, app, "accounting.invoices")).access_token);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[0]?.createdDateUtc).toBe(before[0]?.createdDateUtc);
    expect(after[0]?.updatedDateUtc).not.toBe(before[0]?.updatedDateUtc);
    expect(after[0]?.authEventId).not.toBe(before[0]?.authEventId);
  });

  it("answers a missing token with Xero's 401 body", async () => {
    const result = await get(connectionsUrl);
    expect(result.status).toBe(401);
    const body = result.json as Record<string, unknown>;
    expect(body).toEqual({ Type: null, Title: "Unauthorized", Status: 401, Detail: "AuthenticationUnsuccessful", Instance: body["Instance"], Extensions: {} });
    expect(body["Instance"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a tampered token with 401", async () => {
    const app = await createWebApp(fixture);
    const token = (await userTokens(fixture, app, "accounting.invoices")).access_token;
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await get(connectionsUrl, bearer(tampered))).status).toBe(401);
  });

  it("answers an access token older than 30 minutes with 401", async () => {
    const app = await createWebApp(fixture);
    const token = (await userTokens(fixture, app, "accounting.invoices")).access_token;
    await fixture.emulator.admin.advanceClock(1801);
    const result = await get(connectionsUrl, bearer(token));
    expect(result.status).toBe(401);
    expect((result.json as Record<string, unknown>)["Detail"]).toBe("AuthenticationUnsuccessful");
  });

  it("answers a token from another issuer with 401", async () => {
    const other = await startEmulator({ issuer: "https://identity.xero.com" });
    try {
      const cc = await other.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      const result = await postForm(`${other.identityUrl}/connect/token`, { grant_type: "client_credentials" }, { authorization: basic(cc.clientId, cc.clientSecret ?? "") });
      expect((await get(connectionsUrl, bearer((result.json as TokenSet).access_token))).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("DELETE /connections/{id}", () => {
  it("disconnects with 204 and no body, then the connection is gone", async () => {
    const app = await createWebApp(fixture);
    const token = (await userTokens(fixture, app, "accounting.invoices")).access_token;
    const [first] = await listConnections(token);
    const result = await del(`${connectionsUrl}/${first?.id ?? ""}`, bearer(token));
    expect(result.status).toBe(204);
    expect(result.text).toBe("");
    expect((await listConnections(token)).map((c) => c.id)).not.toContain(first?.id);
  });

  it("answers 404 for an unknown connection id", async () => {
    const app = await createWebApp(fixture);
    const token = (await userTokens(fixture, app, "accounting.invoices")).access_token;
    expect((await del(`${connectionsUrl}/00000000-0000-0000-0000-000000000000`, bearer(token))).status).toBe(404);
  });

  it("answers 404 for a tenant id, which is not a connection id", async () => {
    const app = await createWebApp(fixture);
    const token = (await userTokens(fixture, app, "accounting.invoices")).access_token;
    expect((await del(`${connectionsUrl}/${fixture.tenantIds[0]}`, bearer(token))).status).toBe(404);
  });

  it("answers 404 for a connection of another app", async () => {
    const mine = await createWebApp(fixture);
    const theirs = await createWebApp(fixture);
    const [theirConnection] = await listConnections((await userTokens(fixture, theirs, "accounting.invoices")).access_token);
    const myToken = (await userTokens(fixture, mine, "accounting.invoices")).access_token;
    expect((await del(`${connectionsUrl}/${theirConnection?.id ?? ""}`, bearer(myToken))).status).toBe(404);
  });
});

describe("Custom Connection connections", () => {
  it("lists nothing until the Custom Connection is linked, though the token call works", async () => {
    const app = await createCustomConnection(fixture);
    const token = (await clientCredentials(fixture, app)).json as TokenSet;
    expect(await listConnections(token.access_token)).toEqual([]);
  });

  it("lists exactly the one linked organisation once linked", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.link(app.clientId, fixture.tenantIds[1]);
    const token = (await clientCredentials(fixture, app)).json as TokenSet;
    const connections = await listConnections(token.access_token);
    expect(connections.map((c) => c.tenantId)).toEqual([fixture.tenantIds[1]]);
  });

  it("replaces the organisation when linked again", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.link(app.clientId, fixture.tenantIds[0]);
    await fixture.emulator.admin.link(app.clientId, fixture.tenantIds[1]);
    const token = (await clientCredentials(fixture, app)).json as TokenSet;
    expect((await listConnections(token.access_token)).map((c) => c.tenantId)).toEqual([fixture.tenantIds[1]]);
  });

  it("lists nothing again after unlink", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.link(app.clientId, fixture.tenantIds[0]);
    await fixture.emulator.admin.unlink(app.clientId);
    const token = (await clientCredentials(fixture, app)).json as TokenSet;
    expect(await listConnections(token.access_token)).toEqual([]);
  });

  it("links to the earliest organisation on the first token call when customConnectionLinkRequired is false", async () => {
    const emulator = await startEmulator({ customConnectionLinkRequired: false });
    try {
      const first = await emulator.admin.createOrg({ name: "First" });
      await emulator.admin.createOrg({ name: "Second" });
      const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      const token = await postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "client_credentials" }, { authorization: basic(cc.clientId, cc.clientSecret ?? "") });
      const result = await get(`${emulator.apiUrl}/connections`, bearer((token.json as TokenSet).access_token));
      expect((result.json as Connection[]).map((c) => c.tenantId)).toEqual([first.tenantId]);
    } finally {
      await emulator.close();
    }
  });
});

describe("revocation", () => {
  const revocationUrl = (): string => `${fixture.emulator.identityUrl}/connect/revocation`;

  it("answers 200 and removes all of that user's connections to the app", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    const result = await postForm(revocationUrl(), { token: tokens.refresh_token ?? "" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(200);
    expect(result.text).toBe("");
    expect(await listConnections(tokens.access_token)).toEqual([]);
  });

  it("makes the revoked refresh token invalid_grant", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await postForm(revocationUrl(), { token: tokens.refresh_token ?? "", token_type_hint: "refresh_token" }, { authorization: basic(app.clientId, app.clientSecret) });
    const result = await postForm(fixture.tokenUrl, { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("drops the granted scopes, so the next consent starts afresh", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices accounting.settings.read");
    await postForm(revocationUrl(), { token: tokens.refresh_token ?? "" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect((await userTokens(fixture, app, "accounting.invoices")).scope).toBe("accounting.invoices");
  });

  it("leaves other apps' connections alone", async () => {
    const app = await createWebApp(fixture);
    const other = await createWebApp(fixture);
    const otherTokens = await userTokens(fixture, other, "accounting.invoices");
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await postForm(revocationUrl(), { token: tokens.refresh_token ?? "" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(await listConnections(otherTokens.access_token)).toHaveLength(2);
  });

  it("answers 200 for an unknown token", async () => {
    const app = await createWebApp(fixture);
    const result = await postForm(revocationUrl(), { token: "unknown" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(200);
  });

  it("answers bad client credentials with 400 invalid_client", async () => {
    const app = await createWebApp(fixture);
    const result = await postForm(revocationUrl(), { token: "x" }, { authorization: basic(app.clientId, "wrong") });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("answers a request without token with 400 invalid_request", async () => {
    const app = await createWebApp(fixture);
    const result = await postForm(revocationUrl(), {}, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_request" });
  });

  it("does not revoke a token presented by another client", async () => {
    const app = await createWebApp(fixture);
    const other = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    const result = await postForm(revocationUrl(), { token: tokens.refresh_token ?? "" }, { authorization: basic(other.clientId, other.clientSecret) });
    expect(result.status).toBe(200);
    expect(await listConnections(tokens.access_token)).toHaveLength(2);
  });

  it("accepts a PKCE app's revocation with client_id alone", async () => {
    const pkce = await fixture.emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    const { createHash, randomBytes } = await import("node:crypto");
    const verifier = randomBytes(32).toString("base64url");
    const code = await codeFor(fixture, pkce.clientId, "offline_access accounting.invoices", {
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    });
    const tokens = (await postForm(fixture.tokenUrl, { grant_type: "authorization_code", client_id: pkce.clientId, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })).json as TokenSet;
    const result = await postForm(revocationUrl(), { token: tokens.refresh_token ?? "", client_id: pkce.clientId });
    expect(result.status).toBe(200);
    expect(await listConnections(tokens.access_token)).toEqual([]);
  });
});
