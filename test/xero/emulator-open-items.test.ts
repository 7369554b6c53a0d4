import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { XeroInvalidClientError, XeroInvalidGrantError } from "../../providers/xero/errors";
import { createPkcePair, createState } from "../../providers/xero/pkce";
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

describe("pkcePlainMethod", () => {
  const VERIFIER = "plain-verifier-".padEnd(50, "x");

  /** A PKCE app's authorize request with a plain challenge, as raw HTTP; the redirect's parameters. */
  async function authorizePlain(emulator: RunningEmulator, method: string | undefined): Promise<{ clientId: string; redirect: URLSearchParams }> {
    await consentingUser(emulator);
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Field", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    const url = new URL(clientFor(emulator, { clientId: app.clientId }).client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: ["openid"], state: "s" }));
    url.searchParams.set("code_challenge", VERIFIER);
    if (method !== undefined) url.searchParams.set("code_challenge_method", method);
    const response = await fetch(url, { redirect: "manual" });
    return { clientId: app.clientId, redirect: new URL(response.headers.get("location") ?? "http://none/").searchParams };
  }

  it.each([
    [false, ["S256"]],
    [true, ["S256", "plain"]],
  ])("offers plain in discovery only when it takes it (pkcePlainMethod %s)", async (pkcePlainMethod, methods) => {
    const emulator = await emulatorWith({ pkcePlainMethod });
    const document = (await (await fetch(`${emulator.identityUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(document["code_challenge_methods_supported"]).toEqual(methods);
  });

  it("refuses a plain code challenge back to the redirect URI (the default)", async () => {
    const { redirect } = await authorizePlain(await emulatorWith({}), "plain");
    expect(redirect.get("error")).toBe("invalid_request");
    expect(redirect.get("code")).toBeNull();
  });

  it("takes a plain challenge, named or implied by a missing method, when the option allows it, and wants the verifier as is", async () => {
    const emulator = await emulatorWith({ pkcePlainMethod: true });
    for (const method of ["plain", undefined]) {
      const { clientId, redirect } = await authorizePlain(emulator, method);
      const code = redirect.get("code");
      expect(code).not.toBeNull();
      const { client } = clientFor(emulator, { clientId });
      const tokens = await client.exchangeAuthorizationCode({ code: code!, redirectUri: REDIRECT_URI, codeVerifier: VERIFIER });
      expect(tokens.accessToken.length).toBeGreaterThan(0);
    }
  });

  it("refuses a verifier that is not the plain challenge itself", async () => {
    const emulator = await emulatorWith({ pkcePlainMethod: true });
    const { clientId, redirect } = await authorizePlain(emulator, "plain");
    const { client } = clientFor(emulator, { clientId });
    await expect(
      client.exchangeAuthorizationCode({ code: redirect.get("code")!, redirectUri: REDIRECT_URI, codeVerifier: `${VERIFIER}y` }),
    ).rejects.toBeInstanceOf(XeroInvalidGrantError);
  });

  it.each([false, true])("leaves the client's own S256 flow working (pkcePlainMethod %s)", async (pkcePlainMethod) => {
    const emulator = await emulatorWith({ pkcePlainMethod });
    await consentingUser(emulator);
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Field", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    const { client } = clientFor(emulator, { clientId: app.clientId });
    const pkce = createPkcePair();
    const state = createState();
    const code = await authorizationCode(
      client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: ["openid"], state, codeChallenge: pkce.codeChallenge }),
      state,
    );
    const tokens = await client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI, codeVerifier: pkce.codeVerifier });
    expect(tokens.idToken).toBeDefined();
  });
});

describe("invalidClientStatus", () => {
  it.each([400, 401] as const)("maps invalid_client answered with %s to XeroInvalidClientError, naming the client", async (invalidClientStatus) => {
    const emulator = await emulatorWith({ invalidClientStatus });
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices"] });
    const response = await fetch(`${emulator.identityUrl}/connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: app.clientId, client_secret: "wrong" }),
    });
    expect([response.status, await response.json()]).toEqual([invalidClientStatus, { error: "invalid_client" }]);

    const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: "wrong" });
    const error = await client.clientCredentials().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XeroInvalidClientError);
    expect((error as Error).message).toContain(app.clientId);
    expect((await client.probeClient()).valid).toBe(false);
  });
});

describe("customConnectionUserClaims", () => {
  const USER_CLAIMS = ["sub", "auth_time", "idp", "xero_userid", "global_session_id", "amr"];

  async function customConnectionToken(customConnectionUserClaims: boolean): Promise<Record<string, unknown>> {
    const emulator = await emulatorWith({ customConnectionUserClaims });
    const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices"] });
    await emulator.admin.link(app.clientId, tenantId);
    const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
    const { accessToken } = await client.clientCredentials();
    expect((await client.listConnections(accessToken)).map((c) => c.tenantId)).toEqual([tenantId]);
    return { ...(await client.verifyAccessToken(accessToken)).claims };
  }

  it("issues Custom Connection tokens without user claims (the default), which the client verifies", async () => {
    const claims = await customConnectionToken(false);
    expect(USER_CLAIMS.filter((name) => name in claims)).toEqual([]);
  });

  it("issues them with the authorising user's claims when the option says so, which the client verifies too", async () => {
    const claims = await customConnectionToken(true);
    expect(USER_CLAIMS.filter((name) => name in claims)).toEqual(USER_CLAIMS);
    expect(claims["sub"]).toMatch(/^[0-9a-f]{32}$/);
    expect(claims["xero_userid"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
