import { createWebApp, decodeJwt, refresh, startFixture, userTokens, type Fixture, type TokenSet } from "./helpers";

let fixture: Fixture;
let app: { clientId: string; clientSecret: string };
let first: TokenSet;
const DAY = 24 * 60 * 60;

beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});
beforeEach(async () => {
  app = await createWebApp(fixture);
  first = await userTokens(fixture, app, "openid offline_access accounting.invoices");
});

function refreshTokenOf(result: { json: unknown }): string {
  return (result.json as TokenSet).refresh_token ?? "";
}

describe("refresh_token", () => {
  it("returns a full new token set with a new refresh token", async () => {
    const result = await refresh(fixture, app, first.refresh_token ?? "");
    expect(result.status).toBe(200);
    const body = result.json as TokenSet;
    expect(Object.keys(body)).toEqual(["id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"]);
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.scope).toBe("openid offline_access accounting.invoices");
  });

  it("keeps the original sign-in's authentication_event_id in refreshed access tokens", async () => {
    const body = (await refresh(fixture, app, first.refresh_token ?? "")).json as TokenSet;
    expect(decodeJwt(body.access_token).claims["authentication_event_id"]).toBe(decodeJwt(first.access_token).claims["authentication_event_id"]);
  });

  it("lets the old refresh token be used again within 30 minutes while its replacement is unused", async () => {
    await refresh(fixture, app, first.refresh_token ?? "");
    await fixture.emulator.admin.advanceClock(29 * 60);
    const again = await refresh(fixture, app, first.refresh_token ?? "");
    expect(again.status).toBe(200);
  });

  it("rejects the old refresh token with invalid_grant after the 30-minute grace", async () => {
    await refresh(fixture, app, first.refresh_token ?? "");
    await fixture.emulator.admin.advanceClock(30 * 60 + 1);
    const again = await refresh(fixture, app, first.refresh_token ?? "");
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: "invalid_grant" });
  });

  it("rejects the old refresh token once its replacement has been used", async () => {
    const second = refreshTokenOf(await refresh(fixture, app, first.refresh_token ?? ""));
    expect((await refresh(fixture, app, second)).status).toBe(200);
    const again = await refresh(fixture, app, first.refresh_token ?? "");
    expect(again.json).toEqual({ error: "invalid_grant" });
  });

  it("invalidates the first replacement when the old token is reused, so two copies break each other", async () => {
    const copyA = refreshTokenOf(await refresh(fixture, app, first.refresh_token ?? ""));
    const copyB = refreshTokenOf(await refresh(fixture, app, first.refresh_token ?? ""));
    expect((await refresh(fixture, app, copyA)).json).toEqual({ error: "invalid_grant" });
    expect((await refresh(fixture, app, copyB)).status).toBe(200);
  });

  it("rejects a refresh token unused for 60 days with invalid_grant", async () => {
    await fixture.emulator.admin.advanceClock(60 * DAY);
    const result = await refresh(fixture, app, first.refresh_token ?? "");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_grant" });
  });

  it("accepts a refresh token on day 59 and gives the new one another 60 days (sliding expiry)", async () => {
    await fixture.emulator.admin.advanceClock(59 * DAY);
    const second = refreshTokenOf(await refresh(fixture, app, first.refresh_token ?? ""));
    await fixture.emulator.admin.advanceClock(59 * DAY);
    expect((await refresh(fixture, app, second)).status).toBe(200);
  });

  it("rejects a refresh token presented by another client with invalid_grant", async () => {
    const other = await createWebApp(fixture);
    expect((await refresh(fixture, other, first.refresh_token ?? "")).json).toEqual({ error: "invalid_grant" });
  });

  it("rejects an unknown refresh token with invalid_grant", async () => {
    expect((await refresh(fixture, app, "F".repeat(64))).json).toEqual({ error: "invalid_grant" });
  });

  it("answers a refresh request without refresh_token with invalid_request", async () => {
    const result = await refresh(fixture, app, "");
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: "invalid_request" });
  });
});
