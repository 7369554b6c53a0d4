import { startEmulator, type RunningEmulator } from "../../emulator";
import { basic, bearer, get, postForm, REDIRECT_URI, type HttpResult, type TokenSet } from "./helpers";

/**
 * Portal edits (`PATCH /admin/apps/{clientId}`): a Custom Connection whose scopes or organisation
 * change is inactive until its authorising user links it again.
 */

let emulator: RunningEmulator;
let tenantA: string;
let tenantB: string;
beforeAll(async () => {
  // After both dates that closed broad scopes to new apps.
  emulator = await startEmulator({ autoConsent: true, startTime: new Date("2026-06-01T00:00:00Z") });
  tenantA = (await emulator.admin.createOrg({ name: "Org A" })).tenantId;
  tenantB = (await emulator.admin.createOrg({ name: "Org B", countryCode: "AU" })).tenantId;
});
afterAll(async () => {
  await emulator.close();
});

interface Credentials {
  clientId: string;
  clientSecret: string;
}

async function linkedCustomConnection(scopes = ["accounting.invoices", "accounting.contacts.read"]): Promise<Credentials> {
  const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Reporting", scopes });
  await emulator.admin.link(app.clientId, tenantA);
  return { clientId: app.clientId, clientSecret: app.clientSecret ?? "" };
}

function token(app: Credentials, scope?: string): Promise<HttpResult> {
  return postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) }, { authorization: basic(app.clientId, app.clientSecret) });
}

async function accessToken(app: Credentials): Promise<string> {
  const result = await token(app);
  if (result.status !== 200) throw new Error(`client_credentials answered ${result.status}: ${result.text}`);
  return (result.json as TokenSet).access_token;
}

async function connections(app: Credentials): Promise<{ id: string; tenantId: string; authEventId: string; updatedDateUtc: string }[]> {
  const result = await get(`${emulator.apiUrl}/connections`, bearer(await accessToken(app)));
  return result.json as { id: string; tenantId: string; authEventId: string; updatedDateUtc: string }[];
}

function organisation(accessTokenValue: string): Promise<HttpResult> {
  return get(`${emulator.apiUrl}/api.xro/2.0/Organisation`, bearer(accessTokenValue));
}

async function rawPatch(clientId: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emulator.adminUrl}/apps/${clientId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe("changing a Custom Connection's scopes", () => {
  it("lists no connections afterwards, though the token call still works", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    expect((await token(app)).status).toBe(200);
    expect(await connections(app)).toEqual([]);
  });

  it("answers API calls with 403 afterwards", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    const result = await organisation(await accessToken(app));
    expect(result.status).toBe(403);
    expect(result.json).toMatchObject({ title: "Forbidden", status: 403, detail: "AuthenticationUnsuccessful" });
  });

  it("also cuts off access tokens issued before the change", async () => {
    const app = await linkedCustomConnection();
    const before = await accessToken(app);
    expect((await organisation(before)).status).toBe(200);
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    expect((await organisation(before)).status).toBe(403);
  });

  it("issues tokens with the new scopes", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices", "accounting.settings.read"] });
    expect(((await token(app)).json as TokenSet).scope).toBe("accounting.invoices accounting.settings.read");
  });

  it("refuses a scope that was taken away with invalid_scope", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    const result = await token(app, "accounting.contacts.read");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
  });

  it("shows the app awaiting authorisation for its organisation, with no linked tenant", async () => {
    const app = await linkedCustomConnection();
    const view = await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    expect(view).toMatchObject({
      scopes: ["accounting.invoices"],
      linkedTenantId: null,
      awaitingAuthorisation: { tenantId: tenantA, reason: "scopes_changed" },
      connections: [],
    });
  });

  it("becomes active again when linked again, keeping the connection id with a new authEventId and updatedDateUtc", async () => {
    const app = await linkedCustomConnection();
    const [before] = await connections(app);
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    await emulator.admin.advanceClock(60);
    await emulator.admin.link(app.clientId, tenantA);
    const [after] = await connections(app);
    expect(after?.id).toBe(before?.id);
    expect(after?.tenantId).toBe(tenantA);
    expect(after?.authEventId).not.toBe(before?.authEventId);
    expect(after?.updatedDateUtc).not.toBe(before?.updatedDateUtc);
    expect((await emulator.admin.getApp(app.clientId)).awaitingAuthorisation).toBeNull();
  });

  it("stays active when the same scopes are saved in another order", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.contacts.read", "accounting.invoices"] });
    expect((await connections(app)).map((c) => c.tenantId)).toEqual([tenantA]);
  });

  it("has nothing to deactivate on a Custom Connection that was never linked", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "New", scopes: ["accounting.invoices"] });
    const view = await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.payments"] });
    expect(view).toMatchObject({ scopes: ["accounting.payments"], linkedTenantId: null, awaitingAuthorisation: null });
  });

  it("ends the wait when the Custom Connection is unlinked", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    await emulator.admin.unlink(app.clientId);
    expect((await emulator.admin.getApp(app.clientId)).awaitingAuthorisation).toBeNull();
  });
});

describe("moving a Custom Connection to another organisation", () => {
  it("lists no connections until linked to the new organisation", async () => {
    const app = await linkedCustomConnection();
    const view = await emulator.admin.updateApp(app.clientId, { tenantId: tenantB });
    expect(view).toMatchObject({ linkedTenantId: null, awaitingAuthorisation: { tenantId: tenantB, reason: "organisation_changed" } });
    expect(await connections(app)).toEqual([]);
  });

  it("lists exactly the new organisation once linked to it", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { tenantId: tenantB });
    await emulator.admin.link(app.clientId, tenantB);
    expect((await connections(app)).map((c) => c.tenantId)).toEqual([tenantB]);
  });

  it("keeps the move as the reason when the scopes change too before re-authorisation", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { tenantId: tenantB });
    const view = await emulator.admin.updateApp(app.clientId, { scopes: ["accounting.invoices"] });
    expect(view.awaitingAuthorisation).toEqual({ tenantId: tenantB, reason: "organisation_changed" });
  });

  it("stays active when moved to the organisation it is already linked to", async () => {
    const app = await linkedCustomConnection();
    await emulator.admin.updateApp(app.clientId, { tenantId: tenantA });
    expect((await connections(app)).map((c) => c.tenantId)).toEqual([tenantA]);
  });

  it("refuses an organisation outside AU, NZ, UK and US", async () => {
    const app = await linkedCustomConnection();
    const { tenantId } = await emulator.admin.createOrg({ name: "Cape Town Ltd", countryCode: "ZA" });
    expect(await rawPatch(app.clientId, { tenantId })).toEqual({
      status: 400,
      json: { error: "invalid_request", message: `organisation ${tenantId} is in ZA: Custom Connections are available only in AU, NZ, GB (UK) and US` },
    });
  });

  it("answers 404 for an organisation that does not exist", async () => {
    const app = await linkedCustomConnection();
    expect((await rawPatch(app.clientId, { tenantId: "00000000-0000-0000-0000-000000000000" })).status).toBe(404);
  });

  it("relinks to the new organisation on the next token call when customConnectionLinkRequired is false", async () => {
    const auto = await startEmulator({ customConnectionLinkRequired: false });
    try {
      const first = await auto.admin.createOrg({ name: "First" });
      const second = await auto.admin.createOrg({ name: "Second" });
      const cc = await auto.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      await auto.admin.link(cc.clientId, first.tenantId);
      await auto.admin.updateApp(cc.clientId, { tenantId: second.tenantId });
      const issued = await postForm(`${auto.identityUrl}/connect/token`, { grant_type: "client_credentials" }, { authorization: basic(cc.clientId, cc.clientSecret ?? "") });
      const listed = await get(`${auto.apiUrl}/connections`, bearer((issued.json as TokenSet).access_token));
      expect((listed.json as { tenantId: string }[]).map((c) => c.tenantId)).toEqual([second.tenantId]);
    } finally {
      await auto.close();
    }
  });
});

describe("PATCH /apps/{clientId} validation", () => {
  it("answers an unknown app with 404", async () => {
    expect((await rawPatch("NOPE", { scopes: ["accounting.invoices"] })).status).toBe(404);
  });

  it("rejects an empty edit", async () => {
    const app = await linkedCustomConnection();
    expect(await rawPatch(app.clientId, {})).toEqual({
      status: 400,
      json: { error: "invalid_request", message: "a PATCH must set at least one of scopes, redirectUris, tier, tenantId" },
    });
  });

  it("rejects a field the portal does not let one change", async () => {
    const app = await linkedCustomConnection();
    expect(await rawPatch(app.clientId, { kind: "web" })).toEqual({
      status: 400,
      json: { error: "invalid_request", message: "kind cannot be changed; a PATCH may set scopes, redirectUris, tier, tenantId" },
    });
  });

  it("rejects an empty scope list for a Custom Connection", async () => {
    const app = await linkedCustomConnection();
    expect((await rawPatch(app.clientId, { scopes: [] })).json).toEqual({ error: "invalid_request", message: "scopes must name at least one scope for a custom_connection app" });
  });

  it("rejects a broad scope for a Custom Connection created since 29 April 2026", async () => {
    const app = await linkedCustomConnection();
    expect((await rawPatch(app.clientId, { scopes: ["accounting.transactions"] })).status).toBe(400);
  });

  it("rejects redirect URIs on a Custom Connection", async () => {
    const app = await linkedCustomConnection();
    expect((await rawPatch(app.clientId, { redirectUris: ["https://a.example/cb"] })).json).toEqual({
      error: "invalid_request",
      message: "redirectUris cannot be set on a custom_connection app",
    });
  });

  it("rejects a tenantId on a web app", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    expect((await rawPatch(web.clientId, { tenantId: tenantA })).json).toEqual({
      error: "invalid_request",
      message: "tenantId can be set only on a custom_connection app, not a web app",
    });
  });
});

describe("editing a web app", () => {
  function authorizeUrl(clientId: string, scope: string, redirectUri = REDIRECT_URI): string {
    const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
    url.search = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope }).toString();
    return url.toString();
  }

  it("lets authorize ask for a scope added since", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    const { userId } = await emulator.admin.createUser({ email: "ada@example.com" });
    await emulator.admin.consent({ userId, tenantIds: [tenantA] });
    await emulator.admin.updateApp(web.clientId, { scopes: ["accounting.invoices", "payroll.employees"] });
    expect((await get(authorizeUrl(web.clientId, "payroll.employees"))).status).toBe(302);
  });

  it("shows invalid_scope for a scope taken away since", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices", "payroll.employees"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.updateApp(web.clientId, { scopes: ["accounting.invoices"] });
    const result = await get(authorizeUrl(web.clientId, "payroll.employees"));
    expect(result.status).toBe(400);
    expect(result.text).toContain("Invalid scope for this client: payroll.employees");
  });

  it("shows the error page for a redirect URI removed since", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.updateApp(web.clientId, { redirectUris: ["https://app.example.com/new-callback"] });
    const result = await get(authorizeUrl(web.clientId, "accounting.invoices"));
    expect(result.status).toBe(400);
    expect(result.text).toContain(`Invalid redirect_uri: ${REDIRECT_URI}`);
  });

  it("validates new redirect URIs as the portal does", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    expect((await rawPatch(web.clientId, { redirectUris: ["http://example.com/cb"] })).json).toEqual({
      error: "invalid_request",
      message: "redirectUris[0] must use https (or http://localhost), got http://example.com/cb",
    });
  });

  it("leaves the app's existing connections alone when its scopes change", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    const { userId } = await emulator.admin.createUser({ email: "ada@example.com" });
    await emulator.admin.consent({ userId, tenantIds: [tenantA] });
    await get(authorizeUrl(web.clientId, "accounting.invoices"));
    await emulator.admin.updateApp(web.clientId, { scopes: ["accounting.payments"] });
    expect((await emulator.admin.getApp(web.clientId)).connections.map((c) => c.tenantId)).toEqual([tenantA]);
  });
});
