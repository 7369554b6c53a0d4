import { startEmulator, type RunningEmulator } from "../../emulator";
import { basic, bearer, decodeJwt, get, postForm, REDIRECT_URI, type HttpResult, type TokenSet } from "./helpers";

/**
 * Who may hold which scopes: `marketplace.billing` through client credentials for App Store apps
 * only, and broad accounting scopes only for apps created before the portal closed them.
 */

async function rawCreateApp(emulator: RunningEmulator, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emulator.adminUrl}/apps`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

function clientCredentials(emulator: RunningEmulator, app: { clientId: string; clientSecret?: string }, scope?: string): Promise<HttpResult> {
  return postForm(
    `${emulator.identityUrl}/connect/token`,
    { grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) },
    { authorization: basic(app.clientId, app.clientSecret ?? "") },
  );
}

function authorizeUrl(emulator: RunningEmulator, clientId: string, scope: string): string {
  const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
  url.search = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, scope }).toString();
  return url.toString();
}

describe("marketplace.billing for App Store apps", () => {
  let emulator: RunningEmulator;
  let appStore: { clientId: string; clientSecret?: string };
  beforeAll(async () => {
    emulator = await startEmulator({ autoConsent: true });
    appStore = await emulator.admin.createApp({ kind: "web", name: "Store app", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI], appStore: true });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("issues an App Store app a client credentials token for marketplace.billing", async () => {
    const result = await clientCredentials(emulator, appStore, "marketplace.billing");
    expect(result.status).toBe(200);
    const body = result.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "token_type", "scope"]);
    expect(body).toMatchObject({ expires_in: 1800, token_type: "Bearer", scope: "marketplace.billing" });
    expect(decodeJwt(body["access_token"] as string).claims["scope"]).toEqual(["marketplace.billing"]);
  });

  it("gives marketplace.billing when the scope is omitted", async () => {
    expect(((await clientCredentials(emulator, appStore)).json as TokenSet).scope).toBe("marketplace.billing");
  });

  it("refuses an App Store app any other scope through client credentials with invalid_scope", async () => {
    const result = await clientCredentials(emulator, appStore, "marketplace.billing accounting.invoices");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
  });

  it("connects an App Store app's billing token to no organisation", async () => {
    const token = ((await clientCredentials(emulator, appStore)).json as TokenSet).access_token;
    expect((await get(`${emulator.apiUrl}/connections`, bearer(token))).json).toEqual([]);
  });

  it("still refuses client credentials to a web app that is not in the App Store with unauthorized_client", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    const result = await clientCredentials(emulator, web, "marketplace.billing");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unauthorized_client" });
  });

  it("refuses marketplace.billing to a Custom Connection's client credentials with invalid_scope", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
    expect((await clientCredentials(emulator, cc, "marketplace.billing")).json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
  });

  it("shows invalid_scope when a user is asked to consent to marketplace.billing", async () => {
    const result = await get(authorizeUrl(emulator, appStore.clientId, "openid marketplace.billing"));
    expect(result.status).toBe(400);
    expect(result.text).toContain("Invalid scope for this client: marketplace.billing");
  });

  it("rejects marketplace.billing in an app's scopes", async () => {
    expect(await rawCreateApp(emulator, { kind: "custom_connection", name: "cc", scopes: ["marketplace.billing"] })).toEqual({
      status: 400,
      json: {
        error: "invalid_request",
        message: "scopes[0] is obtained only through client credentials by an App Store app (create a web app with appStore: true), not listed in scopes, got marketplace.billing",
      },
    });
  });

  it("rejects appStore for an app that is not a web app", async () => {
    expect(await rawCreateApp(emulator, { kind: "pkce", name: "p", scopes: [], redirectUris: [REDIRECT_URI], appStore: true })).toEqual({
      status: 400,
      json: { error: "invalid_request", message: "appStore must be absent or false for a pkce app: App Store apps are web apps" },
    });
  });

  it("shows appStore in the admin view", async () => {
    expect((await emulator.admin.getApp(appStore.clientId)).appStore).toBe(true);
  });
});

describe("broad accounting scopes by creation date", () => {
  it("lets a web app created before 2 March 2026 hold accounting.transactions", async () => {
    const emulator = await startEmulator({ startTime: new Date("2026-03-01T23:59:00Z") });
    try {
      expect((await rawCreateApp(emulator, { kind: "web", name: "old", scopes: ["accounting.transactions"], redirectUris: [REDIRECT_URI] })).status).toBe(201);
    } finally {
      await emulator.close();
    }
  });

  it("refuses accounting.transactions to a web app created on 2 March 2026", async () => {
    const emulator = await startEmulator({ startTime: new Date("2026-03-02T00:00:00Z") });
    try {
      expect((await rawCreateApp(emulator, { kind: "web", name: "new", scopes: ["accounting.transactions"], redirectUris: [REDIRECT_URI] })).status).toBe(400);
    } finally {
      await emulator.close();
    }
  });

  it("refuses accounting.reports.read to a Custom Connection created on 29 April 2026", async () => {
    const emulator = await startEmulator({ startTime: new Date("2026-04-29T00:00:00Z") });
    try {
      expect((await rawCreateApp(emulator, { kind: "custom_connection", name: "new", scopes: ["accounting.reports.read"] })).status).toBe(400);
    } finally {
      await emulator.close();
    }
  });

  it("issues broad scopes to an older Custom Connection that holds them", async () => {
    const emulator = await startEmulator({ startTime: new Date("2026-04-01T00:00:00Z") });
    try {
      const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "old", scopes: ["accounting.transactions", "accounting.journals.read"] });
      expect(((await clientCredentials(emulator, cc)).json as TokenSet).scope).toBe("accounting.transactions accounting.journals.read");
    } finally {
      await emulator.close();
    }
  });

  it("shows invalid_scope when a new web app asks a user for a broad scope", async () => {
    const emulator = await startEmulator({ autoConsent: true });
    try {
      const web = await emulator.admin.createApp({ kind: "web", name: "new", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const result = await get(authorizeUrl(emulator, web.clientId, "openid accounting.transactions"));
      expect(result.status).toBe(400);
      expect(result.headers.get("location")).toBeNull();
      expect(result.text).toContain('<code id="error">invalid_scope</code>');
    } finally {
      await emulator.close();
    }
  });

  it("answers a new Custom Connection asking for a broad scope with invalid_scope", async () => {
    const emulator = await startEmulator();
    try {
      const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "new", scopes: ["accounting.invoices"] });
      const result = await clientCredentials(emulator, cc, "accounting.transactions");
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
    } finally {
      await emulator.close();
    }
  });
});

describe("organisation countries", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("links a Custom Connection to a UK organisation (country code GB)", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "London Ltd", countryCode: "GB" });
    expect((await emulator.admin.link(cc.clientId, tenantId)).tenantId).toBe(tenantId);
  });

  it("refuses to link a Custom Connection to an organisation in another country", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Toronto Inc", countryCode: "CA" });
    await expect(emulator.admin.link(cc.clientId, tenantId)).rejects.toMatchObject({
      status: 400,
      message: `emulator admin POST /apps/${cc.clientId}/link failed with 400: organisation ${tenantId} is in CA: Custom Connections are available only in AU, NZ, GB (UK) and US`,
    });
  });

  it("rejects a country code that is not two uppercase letters", async () => {
    await expect(emulator.admin.createOrg({ name: "x", countryCode: "UK1" })).rejects.toMatchObject({
      status: 400,
      message: 'emulator admin POST /orgs failed with 400: countryCode must be two uppercase letters (ISO 3166, e.g. NZ, AU, GB, US), got "UK1"',
    });
  });
});
