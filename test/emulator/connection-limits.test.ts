import { startEmulator, type RunningEmulator } from "../../emulator";
import { bearer, del, get, postForm, REDIRECT_URI, type HttpResult } from "./helpers";

/** Connections per app by tier: one emulator, a fresh app per test (each app counts its own organisations). */

let emulator: RunningEmulator;
let orgs: string[];
let ada: string;
let grace: string;
beforeAll(async () => {
  emulator = await startEmulator({ autoConsent: true });
  orgs = [];
  for (let i = 0; i < 26; i += 1) orgs.push((await emulator.admin.createOrg({ name: `Org ${i}` })).tenantId);
  ada = (await emulator.admin.createUser({ email: "ada@example.com" })).userId;
  grace = (await emulator.admin.createUser({ email: "grace@example.com" })).userId;
});
afterAll(async () => {
  await emulator.close();
});

async function webApp(extra: { tier?: "starter" | "core" | "plus" | "advanced" | "enterprise" | "uncertified" } = {}): Promise<{ clientId: string; clientSecret: string }> {
  const app = await emulator.admin.createApp({ kind: "web", name: "Ledger Sync", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI], ...extra });
  return { clientId: app.clientId, clientSecret: app.clientSecret ?? "" };
}

/** `userId` ticks `tenantIds` and the browser runs authorize for `clientId` (auto-consent). */
async function consentAs(userId: string, tenantIds: string[], clientId: string, scope = "accounting.invoices"): Promise<HttpResult> {
  await emulator.admin.consent({ userId, tenantIds });
  const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
  url.search = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, scope, state: "s1" }).toString();
  return get(url.toString());
}

function codeIn(result: HttpResult): string | null {
  return new URL(result.headers.get("location") ?? "http://none.invalid/").searchParams.get("code");
}

async function connectedTenants(clientId: string): Promise<string[]> {
  return (await emulator.admin.getApp(clientId)).connections.map((c) => c.tenantId);
}

describe("connections per app", () => {
  it("lets a new app on the default starter tier connect five organisations", async () => {
    const app = await webApp();
    const result = await consentAs(ada, orgs.slice(0, 5), app.clientId);
    expect(result.status).toBe(302);
    expect(codeIn(result)).toMatch(/^[0-9A-F]{64}$/);
    expect((await emulator.admin.getApp(app.clientId)).tier).toBe("starter");
  });

  it("sends the browser to Xero's connection limit page, not the redirect URI, for a sixth organisation", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 5), app.clientId);
    const result = await consentAs(ada, [orgs[5] ?? ""], app.clientId);
    expect(result.status).toBe(302);
    expect(result.headers.get("location")).toBe(`${emulator.loginUrl}/connectionLimit?client_id=${app.clientId}`);
  });

  it("shows the connection limit page with Xero's wording and the app's name", async () => {
    const app = await webApp();
    const result = await get(`${emulator.loginUrl}/connectionLimit?client_id=${app.clientId}`);
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(result.text).toContain('<code id="error">connection_limit_reached</code>');
    expect(result.text).toContain(
      "Sorry! Ledger Sync has reached their Xero connection limit, please let them know so they can connect more Xero organisations.",
    );
  });

  it("refuses a consent over the limit whole, connecting none of its organisations", async () => {
    const app = await webApp();
    const result = await consentAs(ada, orgs.slice(0, 6), app.clientId);
    expect(result.headers.get("location")).toBe(`${emulator.loginUrl}/connectionLimit?client_id=${app.clientId}`);
    expect(await connectedTenants(app.clientId)).toEqual([]);
  });

  it("notes the tier, the limit and the counts in the request log", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 6), app.clientId);
    const entry = (await emulator.admin.requests()).filter((e) => e.path === "/login/identity/connect/authorize").at(-1);
    expect(entry?.note).toBe("connection limit reached: starter tier allows 5 organisations, 0 connected, 6 more asked for");
  });

  it("does not count an organisation the app is already connected to again", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 5), app.clientId);
    const again = await consentAs(ada, orgs.slice(0, 5), app.clientId);
    expect(codeIn(again)).not.toBeNull();
  });

  it("counts organisations, not users: a second user connecting the same organisation takes no slot", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 5), app.clientId);
    const result = await consentAs(grace, [orgs[0] ?? ""], app.clientId);
    expect(codeIn(result)).not.toBeNull();
    expect(await connectedTenants(app.clientId)).toHaveLength(6);
  });

  it("does not limit a sign-in that asks only for identity scopes, which connects nothing", async () => {
    const app = await webApp();
    const result = await consentAs(grace, orgs.slice(0, 10), app.clientId, "openid profile email");
    expect(codeIn(result)).not.toBeNull();
    expect(await connectedTenants(app.clientId)).toEqual([]);
  });

  it("limits an identity-only sign-in by a user whose earlier consent granted API scopes, since it connects too", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 5), app.clientId);
    const result = await consentAs(ada, [orgs[5] ?? ""], app.clientId, "openid");
    expect(result.headers.get("location")).toBe(`${emulator.loginUrl}/connectionLimit?client_id=${app.clientId}`);
  });

  it("frees a slot when a connection is deleted", async () => {
    const app = await webApp();
    const code = codeIn(await consentAs(ada, orgs.slice(0, 5), app.clientId)) ?? "";
    const tokens = await postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: app.clientId, client_secret: app.clientSecret });
    const accessToken = (tokens.json as { access_token: string }).access_token;
    const [first] = (await get(`${emulator.apiUrl}/connections`, bearer(accessToken))).json as { id: string }[];
    expect((await del(`${emulator.apiUrl}/connections/${first?.id ?? ""}`, bearer(accessToken))).status).toBe(204);
    expect(codeIn(await consentAs(ada, [orgs[5] ?? ""], app.clientId))).not.toBeNull();
  });

  it("allows 25 organisations and refuses the 26th for an app on the older uncertified rule", async () => {
    const app = await webApp({ tier: "uncertified" });
    expect(codeIn(await consentAs(ada, orgs.slice(0, 25), app.clientId))).not.toBeNull();
    expect((await consentAs(ada, [orgs[25] ?? ""], app.clientId)).headers.get("location")).toContain("/connectionLimit?");
  });

  it("admits the sixth organisation once the app moves to the core tier", async () => {
    const app = await webApp();
    await consentAs(ada, orgs.slice(0, 5), app.clientId);
    expect((await emulator.admin.updateApp(app.clientId, { tier: "core" })).tier).toBe("core");
    expect(codeIn(await consentAs(ada, [orgs[5] ?? ""], app.clientId))).not.toBeNull();
  });

  it("applies to PKCE apps too", async () => {
    const pkce = await emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.consent({ userId: ada, tenantIds: orgs.slice(0, 6) });
    const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: pkce.clientId,
      redirect_uri: REDIRECT_URI,
      scope: "accounting.invoices",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    expect((await get(url.toString())).headers.get("location")).toBe(`${emulator.loginUrl}/connectionLimit?client_id=${pkce.clientId}`);
  });

  it("rejects a tier for a Custom Connection, which links one organisation", async () => {
    const response = await fetch(`${emulator.adminUrl}/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"], tier: "core" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      message: "tier must be absent for a custom_connection app: it links one organisation and is licensed per organisation",
    });
  });

  it("rejects a tier Xero does not sell", async () => {
    await expect(emulator.admin.createApp({ kind: "web", name: "w", scopes: [], redirectUris: [REDIRECT_URI], tier: "gold" as "core" })).rejects.toMatchObject({
      status: 400,
      message: 'emulator admin POST /apps failed with 400: tier must be one of starter, core, plus, advanced, enterprise, uncertified, got "gold"',
    });
  });
});

describe("the consent page over the limit", () => {
  it("sends the browser to the connection limit page when the form ticks too many organisations", async () => {
    const manual = await startEmulator();
    try {
      const userId = (await manual.admin.createUser({ email: "ada@example.com" })).userId;
      const tenants: string[] = [];
      for (let i = 0; i < 6; i += 1) tenants.push((await manual.admin.createOrg({ name: `Org ${i}` })).tenantId);
      const app = await manual.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const form = new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT_URI, scope: "accounting.invoices", user_id: userId, decision: "allow" });
      for (const tenantId of tenants) form.append("tenant_id", tenantId);
      const response = await fetch(`${manual.loginUrl}/identity/connect/consent`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        redirect: "manual",
      });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`${manual.loginUrl}/connectionLimit?client_id=${app.clientId}`);
    } finally {
      await manual.close();
    }
  });
});

describe("the defaultAppTier option", () => {
  it("gives apps created without a tier the emulator-wide default", async () => {
    const core = await startEmulator({ autoConsent: true, defaultAppTier: "core" });
    try {
      const userId = (await core.admin.createUser({ email: "ada@example.com" })).userId;
      const tenants: string[] = [];
      for (let i = 0; i < 6; i += 1) tenants.push((await core.admin.createOrg({ name: `Org ${i}` })).tenantId);
      await core.admin.consent({ userId, tenantIds: tenants });
      const app = await core.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const url = new URL(`${core.loginUrl}/identity/connect/authorize`);
      url.search = new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT_URI, scope: "accounting.invoices" }).toString();
      const result = await get(url.toString());
      expect(new URL(result.headers.get("location") ?? "").searchParams.get("code")).not.toBeNull();
      expect((await core.admin.getApp(app.clientId)).tier).toBe("core");
    } finally {
      await core.close();
    }
  });

  it("refuses to start with a tier Xero does not sell", async () => {
    await expect(startEmulator({ defaultAppTier: "gold" as "core" })).rejects.toThrow(
      "emulator option defaultAppTier must be starter, core, plus, advanced, enterprise or uncertified, got gold",
    );
  });
});
