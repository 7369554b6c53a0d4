import { createRemoteJWKSet, jwtVerify } from "jose";
import { startEmulator } from "../../emulator";
import { basic, clientCredentials, createCustomConnection, createWebApp, get, startFixture, userTokens, type Fixture, type TokenSet } from "./helpers";

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

interface Discovery {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  token_endpoint_auth_methods_supported: string[];
  id_token_signing_alg_values_supported: string[];
  code_challenge_methods_supported: string[];
  grant_types_supported: string[];
}

async function discover(identityUrl: string): Promise<Discovery> {
  const result = await get(`${identityUrl}/.well-known/openid-configuration`);
  expect(result.status).toBe(200);
  return result.json as Discovery;
}

describe("discovery", () => {
  it("names the emulator's own endpoints and uses its identity URL as issuer", async () => {
    const { identityUrl, loginUrl } = fixture.emulator;
    expect(await discover(identityUrl)).toMatchObject({
      issuer: identityUrl,
      jwks_uri: `${identityUrl}/.well-known/openid-configuration/jwks`,
      authorization_endpoint: `${loginUrl}/identity/connect/authorize`,
      token_endpoint: `${identityUrl}/connect/token`,
      revocation_endpoint: `${identityUrl}/connect/revocation`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
      grant_types_supported: ["authorization_code", "client_credentials", "refresh_token"],
    });
  });

  it("lets a client verify an access token from discovery alone: JWKS signature and iss = issuer", async () => {
    const app = await createCustomConnection(fixture);
    const token = ((await clientCredentials(fixture, app)).json as TokenSet).access_token;
    const document = await discover(fixture.emulator.identityUrl);
    const jwks = createRemoteJWKSet(new URL(document.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: document.issuer,
      audience: "https://identity.xero.com/resources",
      algorithms: document.id_token_signing_alg_values_supported,
    });
    expect(payload["client_id"]).toBe(app.clientId);
    expect(protectedHeader.alg).toBe("RS256");
  });

  it("lets a client verify an id token against the JWKS with the client id as audience", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "openid accounting.invoices");
    const document = await discover(fixture.emulator.identityUrl);
    const { payload } = await jwtVerify(tokens.id_token ?? "", createRemoteJWKSet(new URL(document.jwks_uri)), { issuer: document.issuer, audience: app.clientId });
    expect(payload["xero_userid"]).toBe(fixture.userId);
  });

  it("publishes one RS256 signing key whose kid matches the tokens' kid", async () => {
    const jwks = (await get(`${fixture.emulator.identityUrl}/.well-known/openid-configuration/jwks`)).json as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256", e: "AQAB" });
    expect(jwks.keys[0]?.["d"]).toBeUndefined();
  });

  it("states issuer https://identity.xero.com when configured, while still naming its own endpoints", async () => {
    const emulator = await startEmulator({ issuer: "https://identity.xero.com" });
    try {
      const document = await discover(emulator.identityUrl);
      expect(document.issuer).toBe("https://identity.xero.com");
      expect(document.token_endpoint).toBe(`${emulator.identityUrl}/connect/token`);
      const cc = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      const response = await fetch(document.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(cc.clientId, cc.clientSecret ?? "") },
        body: "grant_type=client_credentials",
      });
      const token = ((await response.json()) as TokenSet).access_token;
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(document.jwks_uri)), { issuer: "https://identity.xero.com" });
      expect(payload.iss).toBe("https://identity.xero.com");
    } finally {
      await emulator.close();
    }
  });
});
