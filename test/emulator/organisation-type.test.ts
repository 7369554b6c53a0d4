import { bearer, get, startFixture, userTokens, createWebApp, type Fixture } from "./helpers";

/** GET /api.xro/2.0/Organisation answers the accounting API's OrganisationType, not tenantType words. */

let fixture: Fixture;
let accessToken: string;
beforeAll(async () => {
  fixture = await startFixture();
  accessToken = (await userTokens(fixture, await createWebApp(fixture), "accounting.settings.read")).access_token;
});
afterAll(async () => {
  await fixture.emulator.close();
});

async function organisationType(tenantId: string): Promise<unknown> {
  const result = await get(`${fixture.emulator.apiUrl}/api.xro/2.0/Organisation`, { ...bearer(accessToken), "xero-tenant-id": tenantId });
  expect(result.status).toBe(200);
  return (result.json as { Organisations: Array<{ OrganisationType: unknown }> }).Organisations[0]?.OrganisationType;
}

describe("Organisation endpoint", () => {
  it("answers ACCOUNTING_PRACTICE for a practice", async () => {
    expect(await organisationType(fixture.tenantIds[1])).toBe("ACCOUNTING_PRACTICE");
  });

  it("answers COMPANY for an ordinary organisation", async () => {
    expect(await organisationType(fixture.tenantIds[0])).toBe("COMPANY");
  });
});
