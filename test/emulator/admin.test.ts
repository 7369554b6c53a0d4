import { EmulatorAdminError, startEmulator, type RunningEmulator } from "../../emulator";
import { get } from "./helpers";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ startTime: new Date("2026-03-10T09:00:00Z") });
});
afterAll(async () => {
  await emulator.close();
});

async function rawAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emulator.adminUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text.length > 0 ? JSON.parse(text) : undefined };
}

describe("admin API: apps", () => {
  it("creates a web app with a 32-character uppercase hex client id and a 48-character secret", async () => {
    const app = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["accounting.invoices"], redirectUris: ["https://a.example/cb"] });
    expect(app.clientId).toMatch(/^[0-9A-F]{32}$/);
    expect(app.clientSecret).toMatch(/^[A-Za-z0-9_-]{48}$/);
  });

  it("shows an app without secret values, with secret numbers and validity", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    await emulator.admin.addSecret(app.clientId);
    const view = await emulator.admin.getApp(app.clientId);
    expect(view).toMatchObject({ clientId: app.clientId, kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"], redirectUris: [], linkedTenantId: null, connections: [] });
    expect(view.secrets.map((s) => [s.n, s.valid])).toEqual([[1, true], [2, true]]);
    expect(JSON.stringify(view)).not.toContain(app.clientSecret);
  });

  it("rejects an unknown kind with 400 naming the value", async () => {
    expect(await rawAdmin("POST", "/apps", { kind: "mobile", name: "x", scopes: [] })).toEqual({
      status: 400,
      json: { error: "invalid_request", message: 'kind must be one of web, pkce, custom_connection, got "mobile"' },
    });
  });

  it("rejects a redirect URI that is plain http on a host other than localhost", async () => {
    const result = await rawAdmin("POST", "/apps", { kind: "web", name: "x", scopes: ["accounting.invoices"], redirectUris: ["https://ok.example/cb", "http://localhost:3000/cb", "http://example.com/cb"] });
    expect(result).toEqual({ status: 400, json: { error: "invalid_request", message: "redirectUris[2] must use https (or http://localhost), got http://example.com/cb" } });
  });

  it("rejects custom-scheme and wildcard redirect URIs", async () => {
    for (const uri of ["myapp://callback", "https://*.example.com/cb"]) {
      expect((await rawAdmin("POST", "/apps", { kind: "pkce", name: "x", scopes: ["accounting.invoices"], redirectUris: [uri] })).status).toBe(400);
    }
  });

  it("rejects more than 50 redirect URIs", async () => {
    const redirectUris = Array.from({ length: 51 }, (_, i) => `https://a.example/cb${i}`);
    expect((await rawAdmin("POST", "/apps", { kind: "web", name: "x", scopes: ["accounting.invoices"], redirectUris })).json).toEqual({
      error: "invalid_request",
      message: "redirectUris may hold at most 50 URIs, got 51",
    });
  });

  it("requires redirect URIs for web and pkce apps and forbids them for a Custom Connection", async () => {
    expect((await rawAdmin("POST", "/apps", { kind: "web", name: "x", scopes: ["accounting.invoices"] })).status).toBe(400);
    expect((await rawAdmin("POST", "/apps", { kind: "custom_connection", name: "x", scopes: ["accounting.invoices"], redirectUris: ["https://a.example/cb"] })).status).toBe(400);
  });

  it("rejects a scope Xero does not know", async () => {
    expect((await rawAdmin("POST", "/apps", { kind: "custom_connection", name: "x", scopes: ["accounting.magic"] })).json).toEqual({
      error: "invalid_request",
      message: "scopes[0] is not a Xero scope, got accounting.magic",
    });
  });

  it("rejects a broad scope for a web app created since 2 March 2026, naming the rule", async () => {
    expect(await rawAdmin("POST", "/apps", { kind: "web", name: "x", scopes: ["accounting.transactions"], redirectUris: ["https://a.example/cb"] })).toEqual({
      status: 400,
      json: {
        error: "invalid_request",
        message:
          "scopes[0] is a broad scope apps created since 2 March 2026 (Custom Connections: 29 April 2026) cannot hold (use granular scopes, or legacyScopes: true for an older app), got accounting.transactions",
      },
    });
  });

  it("accepts a broad scope for a web app declared older with legacyScopes", async () => {
    expect((await rawAdmin("POST", "/apps", { kind: "web", name: "x", scopes: ["accounting.transactions"], redirectUris: ["https://a.example/cb"], legacyScopes: true })).status).toBe(201);
  });

  it("accepts a broad scope for a Custom Connection created before 29 April 2026 on the emulator clock", async () => {
    expect((await rawAdmin("POST", "/apps", { kind: "custom_connection", name: "x", scopes: ["accounting.transactions"] })).status).toBe(201);
  });

  it("refuses to generate a secret for a PKCE app", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "P", scopes: ["accounting.invoices"], redirectUris: ["http://localhost/cb"] });
    await expect(emulator.admin.addSecret(app.clientId)).rejects.toMatchObject({ status: 400, error: "invalid_request" });
  });

  it("answers 404 for an unknown app and for a secret number that does not exist", async () => {
    await expect(emulator.admin.addSecret("NOPE")).rejects.toBeInstanceOf(EmulatorAdminError);
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    await expect(emulator.admin.deleteSecret(app.clientId, 7)).rejects.toMatchObject({ status: 404, error: "not_found" });
  });

  it("answers a body that is not JSON with 400", async () => {
    expect(await rawAdmin("POST", "/orgs", "{not json")).toEqual({ status: 400, json: { error: "invalid_request", message: "body must be JSON" } });
  });

  it("answers an unknown admin endpoint with 404", async () => {
    expect((await rawAdmin("GET", "/nothing")).status).toBe(404);
  });
});

describe("admin API: orgs, users, links and consent", () => {
  it("rejects an organisation type other than ORGANISATION or PRACTICE", async () => {
    expect((await rawAdmin("POST", "/orgs", { name: "x", type: "COMPANY" })).status).toBe(400);
  });

  it("links only Custom Connections, and only to organisations that exist", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "W", scopes: ["accounting.invoices"], redirectUris: ["https://a.example/cb"] });
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Org" });
    await expect(emulator.admin.link(web.clientId, tenantId)).rejects.toMatchObject({ status: 400 });
    await expect(emulator.admin.link(cc.clientId, "00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ status: 404 });
    const connection = await emulator.admin.link(cc.clientId, tenantId);
    expect(connection.tenantId).toBe(tenantId);
    expect((await emulator.admin.getApp(cc.clientId)).linkedTenantId).toBe(tenantId);
  });

  it("links a second organisation beside the first only when asked to keep the other links", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    const first = (await emulator.admin.createOrg({ name: "First" })).tenantId;
    const second = (await emulator.admin.createOrg({ name: "Second" })).tenantId;
    const third = (await emulator.admin.createOrg({ name: "Third" })).tenantId;
    await emulator.admin.link(cc.clientId, first);
    await emulator.admin.link(cc.clientId, second, { keepOtherLinks: true });
    const both = (await emulator.admin.getApp(cc.clientId)).connections.map((c) => c.tenantId);
    await emulator.admin.link(cc.clientId, third);
    const replaced = (await emulator.admin.getApp(cc.clientId)).connections.map((c) => c.tenantId);
    expect([both, replaced]).toEqual([[first, second], [third]]);
  });

  it("rejects a keepOtherLinks that is not a boolean with 400 naming the value", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Org" });
    expect(await rawAdmin("POST", `/apps/${cc.clientId}/link`, { tenantId, keepOtherLinks: "yes" })).toEqual({
      status: 400,
      json: expect.objectContaining({ message: 'keepOtherLinks must be true or false, got "yes"' }),
    });
  });

  it("answers 404 when unlinking an app that is not linked", async () => {
    const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "CC", scopes: ["accounting.invoices"] });
    await expect(emulator.admin.unlink(cc.clientId)).rejects.toMatchObject({ status: 404 });
  });

  it("rejects an email that is not an address", async () => {
    expect((await rawAdmin("POST", "/users", { email: "nobody" })).status).toBe(400);
  });

  it("answers 404 for consent by an unknown user or to an unknown organisation", async () => {
    const { userId } = await emulator.admin.createUser({ email: "c@example.com" });
    await expect(emulator.admin.consent({ userId: "nobody", tenantIds: [] })).rejects.toMatchObject({ status: 404 });
    await expect(emulator.admin.consent({ userId, tenantIds: ["nope"] })).rejects.toMatchObject({ status: 404 });
  });
});

describe("admin API: clock and faults", () => {
  it("starts the clock at startTime and moves it forward by advanceSeconds", async () => {
    const before = await emulator.admin.now();
    expect(before.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-03-10T09:00:00Z"));
    const after = await emulator.admin.advanceClock(3600);
    expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(3600_000);
  });

  it("refuses to move the clock backwards", async () => {
    expect((await rawAdmin("POST", "/clock", { advanceSeconds: -1 })).status).toBe(400);
  });

  it("rejects a fault without any effect, or aimed at the admin API", async () => {
    expect((await rawAdmin("POST", "/faults", { path: "/identity/connect/token", count: 1 })).status).toBe(400);
    expect((await rawAdmin("POST", "/faults", { path: "/admin/apps", status: 500, count: 1 })).status).toBe(400);
    expect((await rawAdmin("POST", "/faults", { path: "/identity/connect/token", drop: "sometimes", count: 1 })).status).toBe(400);
  });

  it("answers JSON 404 for paths the emulator does not serve", async () => {
    expect((await get(`${emulator.apiUrl}/nothing`)).status).toBe(404);
  });
});
