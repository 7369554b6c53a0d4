import { basic, clientCredentials, createCustomConnection, createWebApp, decodeJwt, postForm, startFixture, type Fixture } from "./helpers";

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("client_credentials", () => {
  it("issues a Bearer access token for 1800 seconds with every granted scope when scope is omitted", async () => {
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, app);
    expect(result.status).toBe(200);
    const body = result.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "token_type", "scope"]);
    expect(body).toMatchObject({ expires_in: 1800, token_type: "Bearer", scope: "accounting.invoices accounting.contacts.read" });
  });

  it("issues only the requested scopes when they are a subset of the granted ones", async () => {
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, app, "accounting.contacts.read");
    expect(result.status).toBe(200);
    expect((result.json as { scope: string }).scope).toBe("accounting.contacts.read");
    expect(decodeJwt((result.json as { access_token: string }).access_token).claims["scope"]).toEqual(["accounting.contacts.read"]);
  });

  it("rejects a scope the Custom Connection was not granted with invalid_scope", async () => {
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, app, "accounting.invoices payroll.employees");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
  });

  it("rejects offline_access in a client_credentials request with invalid_scope", async () => {
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, app, "accounting.invoices offline_access");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_scope", error_description: "Client credentials scope validation failed" });
  });

  it("never issues a refresh token or an id token", async () => {
    const app = await createCustomConnection(fixture);
    const body = (await clientCredentials(fixture, app)).json as Record<string, unknown>;
    expect(body["refresh_token"]).toBeUndefined();
    expect(body["id_token"]).toBeUndefined();
  });

  it("refuses client_credentials for a web app with unauthorized_client", async () => {
    const app = await createWebApp(fixture);
    const result = await clientCredentials(fixture, app);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unauthorized_client" });
  });

  it("refuses client_credentials for a PKCE app with unauthorized_client", async () => {
    const app = await fixture.emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["accounting.invoices"], redirectUris: ["http://localhost:5000/cb"] });
    const result = await postForm(fixture.tokenUrl, { grant_type: "client_credentials", client_id: app.clientId });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unauthorized_client" });
  });

  it("refuses authorization_code for a Custom Connection with unauthorized_client", async () => {
    const app = await createCustomConnection(fixture);
    const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code: "X", redirect_uri: "https://a.example/cb" }, { authorization: basic(app.clientId, app.clientSecret) });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "unauthorized_client" });
  });

  it("signs a Custom Connection token without user claims", async () => {
    const app = await createCustomConnection(fixture);
    const token = (await clientCredentials(fixture, app)).json as { access_token: string };
    const { header, claims } = decodeJwt(token.access_token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(typeof header["kid"]).toBe("string");
    expect(Object.keys(claims)).toEqual(["nbf", "exp", "iss", "aud", "client_id", "jti", "scope"]);
    expect(claims["client_id"]).toBe(app.clientId);
    expect(claims["aud"]).toBe("https://identity.xero.com/resources");
    expect(claims["iss"]).toBe(fixture.emulator.identityUrl);
    expect((claims["exp"] as number) - (claims["nbf"] as number)).toBe(1800);
  });

  it("adds the link's authentication_event_id once the Custom Connection is linked", async () => {
    const app = await createCustomConnection(fixture);
    const connection = await fixture.emulator.admin.link(app.clientId, fixture.tenantIds[0]);
    const token = (await clientCredentials(fixture, app)).json as { access_token: string };
    expect(decodeJwt(token.access_token).claims["authentication_event_id"]).toBe(connection.authEventId);
  });
});
