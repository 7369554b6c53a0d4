import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { XeroInvalidGrantError } from "../../providers/xero/errors";
import { createState } from "../../providers/xero/pkce";
import { authorizationCode, clientFor, consentingUser, REDIRECT_URI } from "./emulator-fixture";

/** The client against both values of each OPEN item of xero-platform.md. */

const running: RunningEmulator[] = [];

async function emulatorWith(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = await startEmulator({ autoConsent: true, ...options });
  running.push(emulator);
  return emulator;
}

afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.close()));
});

describe("secretOverlap", () => {
  async function probeOldSecret(secretOverlap: boolean): Promise<boolean> {
    const emulator = await emulatorWith({ secretOverlap });
    const web = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.addSecret(web.clientId);
    return (await clientFor(emulator, { clientId: web.clientId, clientSecret: web.clientSecret ?? "" }).client.probeClient()).valid;
  }

  it("probes the older secret valid after another is generated when secrets overlap (the default)", async () => {
    expect(await probeOldSecret(true)).toBe(true);
  });

  it("probes the older secret invalid after another is generated when they do not", async () => {
    expect(await probeOldSecret(false)).toBe(false);
  });
});

describe("customConnectionLinkRequired", () => {
  it("lists no connections for a Custom Connection until its emailed authorisation (the default)", async () => {
    const emulator = await emulatorWith({ customConnectionLinkRequired: true });
    await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices"] });
    const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
    expect(await client.listConnections((await client.clientCredentials()).accessToken)).toEqual([]);
  });

  it("lists the first organisation at once when no link step is modelled", async () => {
    const emulator = await emulatorWith({ customConnectionLinkRequired: false });
    const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices"] });
    const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
    const connections = await client.listConnections((await client.clientCredentials()).accessToken);
    expect(connections.map((c) => c.tenantId)).toEqual([tenantId]);
  });
});

describe("authorizationCodeLifetimeSeconds", () => {
  it("maps a code redeemed after its lifetime to XeroInvalidGrantError", async () => {
    const emulator = await emulatorWith({ authorizationCodeLifetimeSeconds: 60 });
    await consentingUser(emulator);
    const web = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["openid", "offline_access"], redirectUris: [REDIRECT_URI] });
    const { client } = clientFor(emulator, { clientId: web.clientId, clientSecret: web.clientSecret ?? "" });
    const state = createState();
    const code = await authorizationCode(client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: ["openid", "offline_access"], state }), state);
    await emulator.admin.advanceClock(61);
    await expect(client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI })).rejects.toBeInstanceOf(XeroInvalidGrantError);
  });
});

describe("issuer", () => {
  it("verifies tokens when the emulator issues them as https://identity.xero.com", async () => {
    const emulator = await emulatorWith({ issuer: "https://identity.xero.com" });
    const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices"] });
    await emulator.admin.link(app.clientId, tenantId);
    const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
    const info = await client.verifyAccessToken((await client.clientCredentials()).accessToken);
    expect(info.issuer).toBe("https://identity.xero.com");
  });
});
