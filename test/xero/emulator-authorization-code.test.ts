import type { RunningEmulator } from "../../emulator";
import { XeroConnectionNotFoundError, XeroInvalidGrantError, XeroRefreshOutcomeUnknownError } from "../../providers/xero/errors";
import type { XeroTokenSet } from "../../providers/xero/parse-token";
import { createPkcePair, createState } from "../../providers/xero/pkce";
import { authorizationCode, clientFor, consentingUser, REDIRECT_URI, startTestEmulator } from "./emulator-fixture";
import { rejection } from "./helpers";

const SCOPES = ["openid", "profile", "email", "offline_access", "accounting.invoices"];

let emulator: RunningEmulator;
let tenantIds: string[];

beforeAll(async () => {
  emulator = await startTestEmulator();
  ({ tenantIds } = await consentingUser(emulator));
});

afterAll(async () => {
  await emulator.close();
});

async function webApp() {
  const app = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
  return clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
}

/** A Web app with a consented token set. */
async function webAppWithTokens(): Promise<ReturnType<typeof clientFor> & { tokens: XeroTokenSet }> {
  const fixture = await webApp();
  const state = createState();
  const code = await authorizationCode(fixture.client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state }), state);
  const tokens = await fixture.client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
  return { ...fixture, tokens };
}

describe("authorization code against the emulator", () => {
  it("exchanges a code with the client secret for a full token set", async () => {
    const { tokens } = await webAppWithTokens();
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.idToken).toEqual(expect.any(String));
    expect([...tokens.scopes].sort()).toEqual([...SCOPES].sort());
  });

  it("exchanges a code with PKCE and no secret", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
    const { client } = clientFor(emulator, { clientId: app.clientId });
    const pkce = createPkcePair();
    const state = createState();
    const url = client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state, codeChallenge: pkce.codeChallenge });
    const tokens = await client.exchangeAuthorizationCode({ code: await authorizationCode(url, state), redirectUri: REDIRECT_URI, codeVerifier: pkce.codeVerifier });
    expect(tokens.refreshToken).toEqual(expect.any(String));
  });

  it("maps a code used twice to XeroInvalidGrantError", async () => {
    const { client } = await webApp();
    const state = createState();
    const code = await authorizationCode(client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state }), state);
    await client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
    const error = await rejection(client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI }));
    expect(error).toBeInstanceOf(XeroInvalidGrantError);
    expect(error).toMatchObject({ error: "invalid_grant", status: 400 });
  });

  it("decodes the access token's authentication event, which names the consent's connections", async () => {
    const { client, tokens } = await webAppWithTokens();
    const info = client.decodeAccessToken(tokens.accessToken);
    const connections = await client.listConnections(tokens.accessToken, { authEventId: info.authenticationEventId ?? "" });
    expect(connections.map((c) => c.tenantId).sort()).toEqual([...tenantIds].sort());
  });
});

describe("refresh against the emulator", () => {
  it("rotates the refresh token, and the new one works", async () => {
    const { client, tokens } = await webAppWithTokens();
    const second = await client.refresh(tokens.refreshToken ?? "");
    expect(second.refreshToken).not.toBe(tokens.refreshToken);
    const third = await client.refresh(second.refreshToken ?? "");
    expect(third.accessToken).toEqual(expect.any(String));
  });

  it("does not re-send a refresh whose answer was dropped after Xero committed it", async () => {
    const { client, tokens } = await webAppWithTokens();
    await emulator.admin.clearRequests();
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    const error = await rejection(client.refresh(tokens.refreshToken ?? ""));
    expect(error).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    const tokenCalls = (await emulator.admin.requests()).filter((r) => r.path === "/identity/connect/token");
    expect(tokenCalls.map((r) => r.status)).toEqual(["dropped"]);
  });

  it("recovers from a lost refresh by sending the old token again within the grace period", async () => {
    const { client, tokens } = await webAppWithTokens();
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    const error = (await rejection(client.refresh(tokens.refreshToken ?? ""))) as XeroRefreshOutcomeUnknownError;
    await emulator.admin.advanceClock(20 * 60);
    const recovered = await error.retry<XeroTokenSet>();
    expect(recovered.refreshToken).toEqual(expect.any(String));
    expect((await client.refresh(recovered.refreshToken ?? "")).accessToken).toEqual(expect.any(String));
  });

  it("finds the old token rejected once the grace period is over", async () => {
    const { client, tokens } = await webAppWithTokens();
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    const error = (await rejection(client.refresh(tokens.refreshToken ?? ""))) as XeroRefreshOutcomeUnknownError;
    await emulator.admin.advanceClock(31 * 60);
    expect(await rejection(error.retry())).toBeInstanceOf(XeroInvalidGrantError);
  });
});

describe("revocation and connections against the emulator", () => {
  it("revokes a refresh token, which then fails with invalid_grant and leaves no connections", async () => {
    const { client, tokens } = await webAppWithTokens();
    expect((await emulator.admin.getApp(client.clientId)).connections).toHaveLength(2);
    await client.revoke(tokens.refreshToken ?? "");
    expect(await rejection(client.refresh(tokens.refreshToken ?? ""))).toBeInstanceOf(XeroInvalidGrantError);
    expect((await emulator.admin.getApp(client.clientId)).connections).toEqual([]);
  });

  it("deletes one connection by its id and leaves the other", async () => {
    const { client, tokens } = await webAppWithTokens();
    const [first, second] = await client.listConnections(tokens.accessToken);
    await client.deleteConnection(tokens.accessToken, first?.id ?? "");
    expect((await client.listConnections(tokens.accessToken)).map((c) => c.id)).toEqual([second?.id]);
  });

  it("maps deleting an unknown connection to XeroConnectionNotFoundError", async () => {
    const { client, tokens } = await webAppWithTokens();
    const error = await rejection(client.deleteConnection(tokens.accessToken, "3fa85f64-5717-4562-b3fc-2c963f66afa6"));
    expect(error).toBeInstanceOf(XeroConnectionNotFoundError);
  });
});
