import { bearer, createWebApp, get, refresh, startFixture, userTokens, type Fixture } from "./helpers";

/**
 * DELETE /admin/users/{userId}/apps/{clientId} (the user revokes the app in Xero) and
 * DELETE /admin/orgs/{tenantId}/apps/{clientId} (an organisation disconnects it): what the consented
 * connection's drift findings are produced with.
 */

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

const SCOPE = "openid offline_access accounting.invoices";
const listed = async (accessToken: string): Promise<string[]> =>
  ((await get(`${fixture.emulator.apiUrl}/connections`, bearer(accessToken))).json as Array<{ tenantId: string }>).map((c) => c.tenantId).sort();

describe("admin API: a user revokes an app", () => {
  it("ends the user's connections and refresh tokens: GET /connections is empty and the refresh is invalid_grant", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, SCOPE);
    await fixture.emulator.admin.revokeUserGrant(fixture.userId, app.clientId);
    const refused = await refresh(fixture, app, tokens.refresh_token!);
    expect([await listed(tokens.access_token), refused.status, refused.json]).toEqual([[], 400, { error: "invalid_grant" }]);
  });

  it("answers 404 for a user who granted the app nothing", async () => {
    const app = await createWebApp(fixture);
    await expect(fixture.emulator.admin.revokeUserGrant(fixture.userId, app.clientId)).rejects.toMatchObject({ status: 404, message: expect.stringContaining("has granted app") });
  });
});

describe("admin API: an organisation disconnects an app", () => {
  it("ends that organisation's connection only, and the refresh token still works", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, SCOPE);
    const [first, second] = fixture.tenantIds;
    await fixture.emulator.admin.disconnectOrganisation(first, app.clientId);
    const refreshed = await refresh(fixture, app, tokens.refresh_token!);
    expect([await listed(tokens.access_token), refreshed.status]).toEqual([[second], 200]);
  });

  it("answers 404 when the app is not connected to the organisation", async () => {
    const app = await createWebApp(fixture);
    await expect(fixture.emulator.admin.disconnectOrganisation(fixture.tenantIds[0], app.clientId)).rejects.toMatchObject({ status: 404, message: expect.stringContaining("is not connected to organisation") });
  });
});
