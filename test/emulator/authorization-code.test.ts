import { startEmulator } from "../../emulator";
import { basic, codeFor, createWebApp, decodeJwt, pkcePair, postForm, REDIRECT_URI, startFixture, type Fixture, type TokenSet } from "./helpers";

let fixture: Fixture;
let app: { clientId: string; clientSecret: string };
beforeAll(async () => {
  fixture = await startFixture();
});
// A fresh app per test: scopes granted to an app add up across consents.
beforeEach(async () => {
  app = await createWebApp(fixture);
});
afterAll(async () => {
  await fixture.emulator.close();
});

function exchange(code: string, extra: Record<string, string> = {}, client = app): ReturnType<typeof postForm> {
  return postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, ...extra }, { authorization: basic(client.clientId, client.clientSecret) });
}

describe("authorization_code", () => {
  it("exchanges a code for id, access and refresh tokens in Xero's key order", async () => {
    const code = await codeFor(fixture, app.clientId, "openid profile email offline_access accounting.invoices");
    const result = await exchange(code);
    expect(result.status).toBe(200);
    const body = result.json as TokenSet;
    expect(Object.keys(body)).toEqual(["id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"]);
    expect(body).toMatchObject({ expires_in: 1800, token_type: "Bearer", scope: "openid profile email offline_access accounting.invoices" });
  });

  it("issues no id_token without openid", async () => {
    const body = (await exchange(await codeFor(fixture, app.clientId, "offline_access accounting.invoices"))).json as TokenSet;
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toMatch(/^[0-9A-F]{64}$/);
  });

  it("issues no refresh_token without offline_access", async () => {
    const body = (await exchange(await codeFor(fixture, app.clientId, "openid accounting.invoices"))).json as TokenSet;
    expect(body.refresh_token).toBeUndefined();
    expect(typeof body.id_token).toBe("string");
  });

  it("puts Xero's claims, in Xero's order, into the access token", async () => {
    const body = (await exchange(await codeFor(fixture, app.clientId, "openid offline_access accounting.invoices"))).json as TokenSet;
    const { header, claims } = decodeJwt(body.access_token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(header["kid"]).toMatch(/^[0-9A-F]{40}$/);
    expect(Object.keys(claims)).toEqual([
      "nbf", "exp", "iss", "aud", "client_id", "sub", "auth_time", "idp", "xero_userid", "global_session_id", "jti", "authentication_event_id", "scope", "amr",
    ]);
    expect(claims).toMatchObject({
      iss: fixture.emulator.identityUrl,
      aud: "https://identity.xero.com/resources",
      client_id: app.clientId,
      xero_userid: fixture.userId,
      scope: ["openid", "offline_access", "accounting.invoices"],
      amr: ["pwd"],
    });
    expect((claims["exp"] as number) - (claims["nbf"] as number)).toBe(1800);
  });

  it("puts the client id as audience and the nonce into the id token", async () => {
    const code = await codeFor(fixture, app.clientId, "openid email accounting.invoices", { nonce: "n-0S6_WzA2Mj" });
    const body = (await exchange(code)).json as TokenSet;
    const { claims } = decodeJwt(body.id_token ?? "");
    expect(claims).toMatchObject({ aud: app.clientId, nonce: "n-0S6_WzA2Mj", email: "ada@example.com", xero_userid: fixture.userId });
  });

  it("uses https://identity.xero.com as iss when the issuer option says so", async () => {
    const emulator = await startEmulator({ issuer: "https://identity.xero.com", autoConsent: true });
    try {
      const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      const result = await postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "client_credentials" }, { authorization: basic(cc.clientId, cc.clientSecret ?? "") });
      expect(decodeJwt((result.json as TokenSet).access_token).claims["iss"]).toBe("https://identity.xero.com");
    } finally {
      await emulator.close();
    }
  });

  it("accepts a code only once", async () => {
    const code = await codeFor(fixture, app.clientId, "accounting.invoices");
    expect((await exchange(code)).status).toBe(200);
    const second = await exchange(code);
    expect(second.status).toBe(400);
    expect(second.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects an unknown code with invalid_grant", async () => {
    const result = await exchange("0".repeat(64));
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a redirect_uri that differs from the one sent to authorize", async () => {
    const code = await codeFor(fixture, app.clientId, "accounting.invoices");
    const result = await exchange(code, { redirect_uri: `${REDIRECT_URI}/` });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a code issued to another client", async () => {
    const other = await createWebApp(fixture);
    const code = await codeFor(fixture, app.clientId, "accounting.invoices");
    const result = await exchange(code, {}, other);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a code once its 300-second lifetime has passed", async () => {
    const code = await codeFor(fixture, app.clientId, "accounting.invoices");
    await fixture.emulator.admin.advanceClock(301);
    const result = await exchange(code);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("honours a shorter authorizationCodeLifetimeSeconds", async () => {
    const emulator = await startEmulator({ autoConsent: true, authorizationCodeLifetimeSeconds: 10 });
    try {
      const { userId } = await emulator.admin.createUser({ email: "a@example.com" });
      await emulator.admin.consent({ userId, tenantIds: [] });
      const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
      url.search = new URLSearchParams({ response_type: "code", client_id: web.clientId, redirect_uri: REDIRECT_URI, scope: "accounting.invoices" }).toString();
      const code = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "").searchParams.get("code") ?? "";
      await emulator.admin.advanceClock(11);
      const result = await postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }, { authorization: basic(web.clientId, web.clientSecret ?? "") });
      expect(result.json).toEqual({ error: "invalid_grant" });
    } finally {
      await emulator.close();
    }
  });

  it("grants the union of scopes across consents", async () => {
    const web = await createWebApp(fixture, ["accounting.invoices", "accounting.contacts"]);
    await exchange(await codeFor(fixture, web.clientId, "accounting.invoices"), {}, web);
    const second = (await exchange(await codeFor(fixture, web.clientId, "accounting.contacts"), {}, web)).json as TokenSet;
    expect(second.scope).toBe("accounting.invoices accounting.contacts");
  });
});

describe("PKCE", () => {
  let pkceApp: { clientId: string };
  beforeAll(async () => {
    pkceApp = await fixture.emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
  });

  function pkceExchange(code: string, verifier: string | undefined): ReturnType<typeof postForm> {
    return postForm(fixture.tokenUrl, {
      grant_type: "authorization_code",
      client_id: pkceApp.clientId,
      code,
      redirect_uri: REDIRECT_URI,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
    });
  }

  it("issues no client secret to a PKCE app", async () => {
    const created = await fixture.emulator.admin.createApp({ kind: "pkce", name: "Desktop 2", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    expect(created.clientSecret).toBeUndefined();
  });

  it("exchanges a code with the matching S256 verifier and no secret", async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(fixture, pkceApp.clientId, "offline_access accounting.invoices", { code_challenge: challenge, code_challenge_method: "S256" });
    const result = await pkceExchange(code, verifier);
    expect(result.status).toBe(200);
    expect(typeof (result.json as TokenSet).refresh_token).toBe("string");
  });

  it("rejects a verifier that does not match the challenge with invalid_grant", async () => {
    const { challenge } = pkcePair();
    const code = await codeFor(fixture, pkceApp.clientId, "accounting.invoices", { code_challenge: challenge, code_challenge_method: "S256" });
    const result = await pkceExchange(code, pkcePair().verifier);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a missing verifier with invalid_grant", async () => {
    const { challenge } = pkcePair();
    const code = await codeFor(fixture, pkceApp.clientId, "accounting.invoices", { code_challenge: challenge, code_challenge_method: "S256" });
    expect((await pkceExchange(code, undefined)).json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a verifier shorter than 43 characters with invalid_grant", async () => {
    const short = "a".repeat(42);
    const { createHash } = await import("node:crypto");
    const challenge = createHash("sha256").update(short).digest("base64url");
    const code = await codeFor(fixture, pkceApp.clientId, "accounting.invoices", { code_challenge: challenge, code_challenge_method: "S256" });
    expect((await pkceExchange(code, short)).json).toEqual({ error: "invalid_grant" });
  });

  it("rejects a verifier for a web-app code that had no challenge", async () => {
    const code = await codeFor(fixture, app.clientId, "accounting.invoices");
    expect((await exchange(code, { code_verifier: pkcePair().verifier })).json).toEqual({ error: "invalid_grant" });
  });
});
