import type { RunningEmulator } from "../../emulator";
import {
  XeroInvalidClientError,
  XeroInvalidScopeError,
  XeroUnauthorizedClientError,
  XeroUnauthorizedError,
} from "../../providers/xero/errors";
import { clientFor, customConnection, REDIRECT_URI, startTestEmulator } from "./emulator-fixture";
import { rejection } from "./helpers";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

describe("client credentials against the emulator", () => {
  it("gets a token with every granted scope when none are asked for, and no refresh token", async () => {
    const app = await customConnection(emulator);
    const set = await clientFor(emulator, app).client.clientCredentials();
    expect(set.tokenType).toBe("Bearer");
    expect(set.expiresInSeconds).toBe(1800);
    expect(set.refreshToken).toBeUndefined();
    expect([...set.scopes].sort()).toEqual(["accounting.contacts", "accounting.invoices"]);
  });

  it("lists the one linked organisation with the token", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app);
    const connections = await client.listConnections((await client.clientCredentials()).accessToken);
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ tenantId: app.tenantId, tenantType: "ORGANISATION", tenantName: "Demo Company (NZ)" });
    expect(connections[0]?.createdDateUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/);
  });

  it("authenticates with client_secret_post as well", async () => {
    const app = await customConnection(emulator);
    const set = await clientFor(emulator, app, { clientAuthMethod: "client_secret_post" }).client.clientCredentials({ scopes: ["accounting.invoices"] });
    expect(set.scopes).toEqual(["accounting.invoices"]);
  });

  it("verifies the token's signature through discovery and reads its scope claim", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app);
    const set = await client.clientCredentials();
    const info = await client.verifyAccessToken(set.accessToken);
    expect(info.issuer).toBe(emulator.identityUrl);
    expect(info.clientId).toBe(app.clientId);
    expect([...info.scopes].sort()).toEqual(["accounting.contacts", "accounting.invoices"]);
  });

  it("rejects a token whose signature was tampered with", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app);
    const [header, payload, signature] = (await client.clientCredentials()).accessToken.split(".");
    const flipped = `${signature?.startsWith("A") ? "B" : "A"}${signature?.slice(1)}`;
    const error = await rejection(client.verifyAccessToken(`${header}.${payload}.${flipped}`));
    expect(error).toMatchObject({ code: "XERO_TOKEN_INVALID" });
    expect(error.message).toBe(
      `The access token failed verification against issuer ${emulator.identityUrl}: its signature does not match the issuer's keys. ` +
        "Do not use it: get a new token, and check that XERO_IDENTITY_URL names the server that issued it.",
    );
  });

  it("maps a scope the connection lacks to XeroInvalidScopeError", async () => {
    const app = await customConnection(emulator);
    const error = await rejection(clientFor(emulator, app).client.clientCredentials({ scopes: ["accounting.payments"] }));
    expect(error).toBeInstanceOf(XeroInvalidScopeError);
    expect(error).toMatchObject({
      error: "invalid_scope",
      error_description: "Client credentials scope validation failed",
      status: 400,
    });
  });

  it("maps client credentials on a Web app to XeroUnauthorizedClientError", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    const error = await rejection(clientFor(emulator, { clientId: web.clientId, clientSecret: web.clientSecret ?? "" }).client.clientCredentials());
    expect(error).toBeInstanceOf(XeroUnauthorizedClientError);
    expect(error).toMatchObject({ error: "unauthorized_client", status: 400 });
  });

  it("maps a wrong secret to XeroInvalidClientError and never shows the secret", async () => {
    const app = await customConnection(emulator);
    const wrong = "wrong-secret-value-0123456789";
    const { client, lines } = clientFor(emulator, { clientId: app.clientId, clientSecret: wrong });
    const error = await rejection(client.clientCredentials());
    expect(error).toBeInstanceOf(XeroInvalidClientError);
    expect(JSON.stringify({ message: error.message, context: (error as XeroInvalidClientError).context, lines })).not.toContain(wrong);
  });

  it("maps a garbage bearer token to XeroUnauthorizedError with Xero's problem body", async () => {
    const app = await customConnection(emulator);
    const error = (await rejection(clientFor(emulator, app).client.listConnections("not-a-token"))) as XeroUnauthorizedError;
    expect(error).toBeInstanceOf(XeroUnauthorizedError);
    expect(error.problem).toMatchObject({ title: "Unauthorized", detail: "AuthenticationUnsuccessful" });
  });
});

describe("the client probe against the emulator", () => {
  it("calls a Web app with its current secret valid", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    expect(await clientFor(emulator, { clientId: web.clientId, clientSecret: web.clientSecret ?? "" }).client.probeClient()).toEqual({
      valid: true,
      clientId: web.clientId,
    });
  });

  it("calls a Web app with a deleted secret invalid", async () => {
    const web = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    await emulator.admin.addSecret(web.clientId);
    await emulator.admin.deleteSecret(web.clientId, 1);
    const result = await clientFor(emulator, { clientId: web.clientId, clientSecret: web.clientSecret ?? "" }).client.probeClient();
    expect(result.valid).toBe(false);
    expect(result.valid === false && result.error.code).toBe("XERO_INVALID_CLIENT");
  });

  it("calls an unknown client id invalid", async () => {
    const result = await clientFor(emulator, { clientId: "00000000000000000000000000000000", clientSecret: "whatever-secret" }).client.probeClient();
    expect(result.valid).toBe(false);
  });

  it("calls a PKCE app's client id valid", async () => {
    const pkce = await emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    expect((await clientFor(emulator, { clientId: pkce.clientId }).client.probeClient()).valid).toBe(true);
  });
});
