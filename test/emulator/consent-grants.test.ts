import { basic, bearer, codeFor, createWebApp, get, pkcePair, postForm, refresh, REDIRECT_URI, startFixture, userTokens, type Fixture, type TokenSet } from "./helpers";

/**
 * What a consented connection lives by (xero-platform.md): scopes add up across consents, revoking
 * a refresh token ends the user's whole grant to the app (every token set, every connection) and
 * nothing else, and a Web app may add PKCE to its secret.
 */

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

const revoke = (app: { clientId: string; clientSecret: string }, token: string) =>
  postForm(`${fixture.emulator.identityUrl}/connect/revocation`, { token }, { authorization: basic(app.clientId, app.clientSecret) });

async function connectionCount(accessToken: string): Promise<number> {
  const result = await get(`${fixture.emulator.apiUrl}/connections`, bearer(accessToken));
  expect(result.status).toBe(200);
  return (result.json as unknown[]).length;
}

describe("scopes across consents", () => {
  it("gives a later, narrower consent the union of every scope granted so far", async () => {
    const app = await createWebApp(fixture);
    await userTokens(fixture, app, "offline_access accounting.invoices accounting.settings.read");
    expect((await userTokens(fixture, app, "offline_access accounting.invoices")).scope).toBe("offline_access accounting.invoices accounting.settings.read");
  });

  it("keeps the union in the token set a refresh returns", async () => {
    const app = await createWebApp(fixture);
    await userTokens(fixture, app, "offline_access accounting.settings.read");
    const later = await userTokens(fixture, app, "offline_access accounting.invoices");
    expect(((await refresh(fixture, app, later.refresh_token ?? "")).json as TokenSet).scope).toBe("offline_access accounting.settings.read accounting.invoices");
  });
});

describe("revocation ends the user's grant to the app", () => {
  it("makes the refresh token of the user's other consent invalid_grant too", async () => {
    const app = await createWebApp(fixture);
    const first = await userTokens(fixture, app, "offline_access accounting.invoices");
    const second = await userTokens(fixture, app, "offline_access accounting.invoices");
    await revoke(app, first.refresh_token ?? "");
    expect((await refresh(fixture, app, second.refresh_token ?? "")).json).toEqual({ error: "invalid_grant" });
  });

  it("revoked through an old refresh token still in its grace, also ends its replacement", async () => {
    const app = await createWebApp(fixture);
    const first = await userTokens(fixture, app, "offline_access accounting.invoices");
    const next = (await refresh(fixture, app, first.refresh_token ?? "")).json as TokenSet;
    expect((await revoke(app, first.refresh_token ?? "")).status).toBe(200);
    expect((await refresh(fixture, app, next.refresh_token ?? "")).json).toEqual({ error: "invalid_grant" });
  });

  it("leaves another user's grant and connections to the same app alone", async () => {
    const app = await createWebApp(fixture);
    const { userId: otherUser } = await fixture.emulator.admin.createUser({ email: "grace.hopper@example.com" });
    await fixture.emulator.admin.consent({ userId: otherUser, tenantIds: [fixture.tenantIds[0]] });
    const others = await userTokens(fixture, app, "offline_access accounting.invoices");
    await fixture.emulator.admin.consent({ userId: fixture.userId, tenantIds: fixture.tenantIds });
    const mine = await userTokens(fixture, app, "offline_access accounting.invoices");
    await revoke(app, mine.refresh_token ?? "");
    expect(await connectionCount(others.access_token)).toBe(1);
    expect((await refresh(fixture, app, others.refresh_token ?? "")).status).toBe(200);
  });

  it("answers 200 to a revoked access token and changes nothing", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    expect((await revoke(app, tokens.access_token)).status).toBe(200);
    expect(await connectionCount(tokens.access_token)).toBe(2);
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).status).toBe(200);
  });
});

describe("a Web app with PKCE", () => {
  async function webAppCode(): Promise<{ app: { clientId: string; clientSecret: string }; code: string; verifier: string }> {
    const app = await createWebApp(fixture);
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(fixture, app.clientId, "offline_access accounting.invoices", { code_challenge: challenge, code_challenge_method: "S256" });
    return { app, code, verifier };
  }

  it("exchanges the code with its secret and the verifier", async () => {
    const { app, code, verifier } = await webAppCode();
    const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(200);
  });

  it("rejects the code with its secret but without the verifier", async () => {
    const { app, code } = await webAppCode();
    const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects the verifier without the secret with invalid_client", async () => {
    const { app, code, verifier } = await webAppCode();
    const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: app.clientId });
    expect(result.json).toEqual({ error: "invalid_client" });
  });
});
