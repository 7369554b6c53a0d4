import { EmulatorAdminError, startEmulator, type RunningEmulator } from "../../emulator";
import { basic, bearer, get, postForm, REDIRECT_URI } from "./helpers";

/** DELETE /admin/apps/{clientId}: the portal's "Delete app", which drift's `registration.*` findings are produced with. */

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const tokenUrl = (): string => `${emulator.identityUrl}/connect/token`;

describe("admin API: deleting an app", () => {
  it("makes the token endpoint answer invalid_client to the app's client id and secret", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Gone", scopes: ["accounting.invoices.read"] });
    await emulator.admin.deleteApp(app.clientId);
    const answer = await postForm(tokenUrl(), { grant_type: "client_credentials" }, { authorization: basic(app.clientId, app.clientSecret!) });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "invalid_client" });
  });

  it("makes the authorize endpoint show its error page naming unauthorized_client for the client id", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Gone PKCE", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.deleteApp(app.clientId);
    const url = `${emulator.loginUrl}/identity/connect/authorize?${new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT_URI, scope: "openid", state: "s" })}`;
    const answer = await get(url);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("unauthorized_client");
  });

  it("ends the app's link: GET /connections is empty for a token issued before", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Linked", scopes: ["accounting.invoices.read"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Org", countryCode: "NZ" });
    await emulator.admin.link(app.clientId, tenantId);
    const token = (await postForm(tokenUrl(), { grant_type: "client_credentials" }, { authorization: basic(app.clientId, app.clientSecret!) })).json as { access_token: string };
    await emulator.admin.deleteApp(app.clientId);
    const connections = await get(`${emulator.apiUrl}/connections`, bearer(token.access_token));
    expect([connections.status, connections.json]).toEqual([200, []]);
  });

  it("answers 404 for an unknown app", async () => {
    await expect(emulator.admin.deleteApp("0123456789ABCDEF0123456789ABCDEF")).rejects.toMatchObject({ status: 404, error: "not_found" });
    await expect(emulator.admin.deleteApp("0123456789ABCDEF0123456789ABCDEF")).rejects.toBeInstanceOf(EmulatorAdminError);
  });
});
