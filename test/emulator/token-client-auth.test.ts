import { startEmulator } from "../../emulator";
import { basic, clientCredentials, createCustomConnection, postForm, startFixture, type Fixture } from "./helpers";

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("token endpoint client authentication", () => {
  it("accepts client_id and client_secret in the body", async () => {
    const app = await createCustomConnection(fixture);
    const result = await postForm(fixture.tokenUrl, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.clientSecret });
    expect(result.status).toBe(200);
  });

  it("accepts HTTP Basic credentials", async () => {
    const app = await createCustomConnection(fixture);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
  });

  it("answers a wrong secret with 400 invalid_client", async () => {
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, { clientId: app.clientId, clientSecret: "not-the-secret" });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("answers an unknown client id with 400 invalid_client", async () => {
    const result = await clientCredentials(fixture, { clientId: "6E4D953BAAE949D1A1B399307AD58B94", clientSecret: "x" });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("answers a request without any client credentials with 400 invalid_client", async () => {
    const result = await postForm(fixture.tokenUrl, { grant_type: "client_credentials" });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("answers a confidential client that sends no secret with 400 invalid_client", async () => {
    const app = await createCustomConnection(fixture);
    const result = await postForm(fixture.tokenUrl, { grant_type: "client_credentials", client_id: app.clientId });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("checks client authentication before the grant type", async () => {
    const result = await postForm(fixture.tokenUrl, { grant_type: "password", client_id: "nobody", client_secret: "x" });
    expect(result.json).toEqual({ error: "invalid_client" });
  });

  it("answers an unknown grant type with 400 unsupported_grant_type", async () => {
    const app = await createCustomConnection(fixture);
    const result = await postForm(fixture.tokenUrl, { grant_type: "password" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unsupported_grant_type" });
  });

  it("answers a body that is not form-encoded with 400 invalid_request", async () => {
    const response = await fetch(fixture.tokenUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_request" });
  });

  it("sends no-store caching headers and a Xero-Correlation-Id on success and on error", async () => {
    const app = await createCustomConnection(fixture);
    for (const secret of [app.clientSecret, "wrong"]) {
      const result = await clientCredentials(fixture, { clientId: app.clientId, clientSecret: secret });
      expect(result.headers.get("cache-control")).toBe("no-store, no-cache, max-age=0");
      expect(result.headers.get("pragma")).toBe("no-cache");
      expect(result.headers.get("xero-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("client secrets", () => {
  it("keeps the older secret valid after another is generated (secretOverlap default)", async () => {
    const app = await createCustomConnection(fixture);
    const second = await fixture.emulator.admin.addSecret(app.clientId);
    expect(second.n).toBe(2);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
    expect((await clientCredentials(fixture, { clientId: app.clientId, clientSecret: second.clientSecret })).status).toBe(200);
  });

  it("rejects a deleted secret with invalid_client and keeps the other", async () => {
    const app = await createCustomConnection(fixture);
    const second = await fixture.emulator.admin.addSecret(app.clientId);
    await fixture.emulator.admin.deleteSecret(app.clientId, 1);
    expect((await clientCredentials(fixture, app)).json).toEqual({ error: "invalid_client" });
    expect((await clientCredentials(fixture, { clientId: app.clientId, clientSecret: second.clientSecret })).status).toBe(200);
  });

  it("invalidates the older secret as soon as another is generated when secretOverlap is false", async () => {
    const emulator = await startEmulator({ secretOverlap: false });
    try {
      const app = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
      const second = await emulator.admin.addSecret(app.clientId);
      const tokenUrl = `${emulator.identityUrl}/connect/token`;
      const old = await postForm(tokenUrl, { grant_type: "client_credentials" }, { authorization: basic(app.clientId, app.clientSecret ?? "") });
      expect(old.status).toBe(400);
      expect(old.json).toEqual({ error: "invalid_client" });
      const fresh = await postForm(tokenUrl, { grant_type: "client_credentials" }, { authorization: basic(app.clientId, second.clientSecret) });
      expect(fresh.status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});
