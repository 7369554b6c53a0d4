/**
 * A standard OpenID Connect client, panva's openid-client, against the emulator from discovery
 * alone: it is given the identity URL and the app's credentials, nothing of ours. It validates what
 * it receives as the specifications say (id token signature from the JWKS, iss, aud, nonce, at_hash,
 * state, PKCE), so these tests fail if the emulator drifts from the standards Xero follows.
 */
import { generators, Issuer, type BaseClient } from "openid-client";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { decodeJwt } from "./helpers";

const REDIRECT_URI = "http://localhost:5173/callback";

let emulator: RunningEmulator;
let issuer: Issuer<BaseClient>;

beforeAll(async () => {
  emulator = await startEmulator({ autoConsent: true });
  const { userId } = await emulator.admin.createUser({ email: "ada@example.com" });
  const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
  await emulator.admin.consent({ userId, tenantIds: [tenantId] });
  issuer = await Issuer.discover(emulator.identityUrl);
});

afterAll(async () => {
  await emulator?.close();
});

/** Follows an authorize URL as a browser would with auto-consent; the callback's parameters. */
async function consent(authorizeUrl: string): Promise<URL> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  return new URL(location);
}

describe("openid-client from discovery alone", () => {
  it("discovers the emulator as an issuer named by the URL it is served at", () => {
    expect(issuer.metadata.issuer).toBe(emulator.identityUrl);
    expect(issuer.metadata.token_endpoint).toBe(`${emulator.identityUrl}/connect/token`);
  });

  it.each(["client_secret_basic", "client_secret_post"] as const)(
    "completes a Web app's authorization code flow with PKCE and validates the id token (%s)",
    async (authMethod) => {
      const app = await emulator.admin.createApp({ kind: "web", name: "Portal", scopes: ["openid", "email", "offline_access"], redirectUris: [REDIRECT_URI] });
      const client = new issuer.Client({
        client_id: app.clientId,
        client_secret: app.clientSecret!,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: authMethod,
      });
      const [verifier, state, nonce] = [generators.codeVerifier(), generators.state(), generators.nonce()];
      const callback = await consent(
        client.authorizationUrl({ scope: "openid email offline_access", state, nonce, code_challenge: generators.codeChallenge(verifier), code_challenge_method: "S256" }),
      );
      const tokens = await client.callback(REDIRECT_URI, client.callbackParams(callback.toString()), { code_verifier: verifier, state, nonce });
      expect(tokens.claims()).toMatchObject({ iss: emulator.identityUrl, aud: app.clientId, nonce, email: "ada@example.com" });
      expect(tokens.refresh_token).toEqual(expect.any(String));

      const refreshed = await client.refresh(tokens.refresh_token!);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims().sub).toBe(tokens.claims().sub);
    },
  );

  it("completes a PKCE app's flow as a public client, with no secret", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Field app", scopes: ["openid", "offline_access"], redirectUris: [REDIRECT_URI] });
    const client = new issuer.Client({ client_id: app.clientId, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" });
    const [verifier, state, nonce] = [generators.codeVerifier(), generators.state(), generators.nonce()];
    const callback = await consent(
      client.authorizationUrl({ scope: "openid offline_access", state, nonce, code_challenge: generators.codeChallenge(verifier), code_challenge_method: "S256" }),
    );
    const tokens = await client.callback(REDIRECT_URI, client.callbackParams(callback.toString()), { code_verifier: verifier, state, nonce });
    expect(tokens.claims().aud).toBe(app.clientId);
  });

  it("gets a Custom Connection's token with client credentials, and revokes it", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices.read"] });
    const client = new issuer.Client({ client_id: app.clientId, client_secret: app.clientSecret! });
    const tokens = await client.grant({ grant_type: "client_credentials" });
    expect(tokens).toMatchObject({ token_type: "Bearer", scope: "accounting.invoices.read" });
    // openid-client keeps expires_at (its clock's now + expires_in) and derives expires_in from it
    // when read, a second less once its clock has ticked; the token's own claims (nbf, exp, as
    // Xero's) give the lifetime.
    const { claims } = decodeJwt(tokens.access_token ?? "");
    expect([typeof tokens.expires_at, Number(claims["exp"]) - Number(claims["nbf"])]).toEqual(["number", 1800]);
    expect(tokens.refresh_token).toBeUndefined();
    await expect(client.revoke(tokens.access_token!, "access_token")).resolves.toBeUndefined();
  });

  it("rejects a wrong secret with the standard invalid_client error", async () => {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes: ["accounting.invoices.read"] });
    const client = new issuer.Client({ client_id: app.clientId, client_secret: "not-the-secret" });
    await expect(client.grant({ grant_type: "client_credentials" })).rejects.toMatchObject({ error: "invalid_client" });
  });
});
