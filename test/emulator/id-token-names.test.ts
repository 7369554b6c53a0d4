import { defaultUserNames } from "../../emulator/admin-input";
import { basic, codeFor, createWebApp, decodeJwt, postForm, REDIRECT_URI, startFixture, type Fixture, type TokenSet } from "./helpers";

/** The id token's person claims as Xero sends them: given_name and family_name, never name. */

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

async function idTokenClaims(scope: string, user?: { email: string; givenName?: string; familyName?: string }): Promise<Record<string, unknown>> {
  if (user !== undefined) {
    const { userId } = await fixture.emulator.admin.createUser(user);
    await fixture.emulator.admin.consent({ userId, tenantIds: fixture.tenantIds });
  }
  const app = await createWebApp(fixture);
  const code = await codeFor(fixture, app.clientId, scope, { nonce: "n-1" });
  const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }, { authorization: basic(app.clientId, app.clientSecret) });
  return decodeJwt((result.json as TokenSet).id_token ?? "").claims;
}

afterEach(async () => {
  await fixture.emulator.admin.consent({ userId: fixture.userId, tenantIds: fixture.tenantIds });
});

describe("id token person claims", () => {
  it("carries the names given to POST /users as given_name and family_name", async () => {
    const claims = await idTokenClaims("openid profile email accounting.invoices", { email: "grace@example.com", givenName: "Grace", familyName: "Hopper" });
    expect(claims).toMatchObject({ given_name: "Grace", family_name: "Hopper", email: "grace@example.com", preferred_username: "grace@example.com" });
  });

  it("never carries a name claim", async () => {
    const claims = await idTokenClaims("openid profile email accounting.invoices");
    expect(Object.keys(claims)).not.toContain("name");
  });

  it("lists the claims in the order of Xero's XeroIdToken", async () => {
    const claims = await idTokenClaims("openid profile email accounting.invoices");
    expect(Object.keys(claims)).toEqual([
      "nbf", "exp", "iss", "aud", "iat", "nonce", "at_hash", "sid", "sub", "auth_time", "idp", "xero_userid", "global_session_id",
      "preferred_username", "email", "given_name", "family_name", "amr",
    ]);
  });

  it("leaves the names out without the profile scope", async () => {
    const claims = await idTokenClaims("openid email accounting.invoices");
    expect(claims["email"]).toBe("ada@example.com");
    expect(claims).not.toHaveProperty("given_name");
    expect(claims).not.toHaveProperty("family_name");
  });

  it("leaves the email out without the email scope", async () => {
    const claims = await idTokenClaims("openid profile accounting.invoices");
    expect(claims).toMatchObject({ given_name: "Ada", family_name: "User" });
    expect(claims).not.toHaveProperty("email");
    expect(claims).not.toHaveProperty("preferred_username");
  });

  it("defaults the names from an email with two parts before the @", async () => {
    const claims = await idTokenClaims("openid profile accounting.invoices", { email: "alan.turing@example.com" });
    expect(claims).toMatchObject({ given_name: "Alan", family_name: "Turing" });
  });
});

describe("discovery's claims", () => {
  it("lists given_name and family_name among the supported claims, and not name", async () => {
    const body = (await (await fetch(`${fixture.emulator.identityUrl}/.well-known/openid-configuration`)).json()) as { claims_supported: string[] };
    expect(body.claims_supported).toEqual(expect.arrayContaining(["given_name", "family_name"]));
    expect(body.claims_supported).not.toContain("name");
  });
});

describe("POST /users names", () => {
  it("defaults the family name to User when the email's local part has one part", () => {
    expect(defaultUserNames("ada@example.com")).toEqual({ givenName: "Ada", familyName: "User" });
  });

  it("takes the first two parts of the local part split at dots, underscores and pluses", () => {
    expect(defaultUserNames("mary_jackson+xero@example.com")).toEqual({ givenName: "Mary", familyName: "Jackson" });
  });

  it("rejects an empty givenName with 400 naming the field and the value", async () => {
    const response = await fetch(`${fixture.emulator.adminUrl}/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "x@example.com", givenName: "" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      message: 'givenName must be a non-empty string of at most 255 characters, or absent for the default, got ""',
    });
  });

  it("rejects a familyName that is not a string", async () => {
    await expect(fixture.emulator.admin.createUser({ email: "x@example.com", familyName: 7 as unknown as string })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("familyName must be a non-empty string"),
    });
  });
});
