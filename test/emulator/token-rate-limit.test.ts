import { startEmulator, type RunningEmulator } from "../../emulator";
import { basic, clientCredentials, createCustomConnection, createWebApp, postForm, refresh, startFixture, userTokens, type Fixture, type HttpResult } from "./helpers";

/** The token endpoint's limit (OPEN item): off by default, `tokenRateLimitPerMinute` turns it on. */

function tokenRequest(emulator: RunningEmulator, app: { clientId: string; clientSecret: string }): Promise<HttpResult> {
  return postForm(`${emulator.identityUrl}/connect/token`, { grant_type: "client_credentials" }, { authorization: basic(app.clientId, app.clientSecret) });
}

describe("without tokenRateLimitPerMinute", () => {
  it("answers every token request however many come in a minute", async () => {
    const fixture = await startFixture();
    try {
      const app = await createCustomConnection(fixture);
      const statuses = [];
      for (let i = 0; i < 25; i += 1) statuses.push((await clientCredentials(fixture, app)).status);
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      await fixture.emulator.close();
    }
  });
});

describe("with tokenRateLimitPerMinute", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture({ tokenRateLimitPerMinute: 2 });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it("answers the third request from one client in a minute with 429", async () => {
    const app = await createCustomConnection(fixture);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
    expect((await clientCredentials(fixture, app)).status).toBe(429);
  });

  it("says in Retry-After how many seconds remain until the oldest request leaves the minute", async () => {
    const app = await createCustomConnection(fixture);
    await clientCredentials(fixture, app);
    await clientCredentials(fixture, app);
    await fixture.emulator.admin.advanceClock(20);
    expect((await clientCredentials(fixture, app)).headers.get("retry-after")).toBe("40");
  });

  it("answers with an empty body, no-store headers and a correlation id, but none of the API's limit headers", async () => {
    const app = await createCustomConnection(fixture);
    await clientCredentials(fixture, app);
    await clientCredentials(fixture, app);
    const refused = await clientCredentials(fixture, app);
    expect(refused.text).toBe("");
    expect(refused.headers.get("cache-control")).toBe("no-store, no-cache, max-age=0");
    expect(refused.headers.get("xero-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const name of ["x-rate-limit-problem", "x-minlimit-remaining", "x-daylimit-remaining", "x-appminlimit-remaining"]) {
      expect(refused.headers.get(name)).toBeNull();
    }
  });

  it("counts each client id separately", async () => {
    const first = await createCustomConnection(fixture);
    const second = await createCustomConnection(fixture);
    await clientCredentials(fixture, first);
    await clientCredentials(fixture, first);
    expect((await clientCredentials(fixture, first)).status).toBe(429);
    expect((await clientCredentials(fixture, second)).status).toBe(200);
  });

  it("counts requests whose client authentication fails", async () => {
    const app = await createCustomConnection(fixture);
    const wrong = { clientId: app.clientId, clientSecret: "not-the-secret" };
    expect((await tokenRequest(fixture.emulator, wrong)).json).toEqual({ error: "invalid_client" });
    expect((await tokenRequest(fixture.emulator, wrong)).json).toEqual({ error: "invalid_client" });
    expect((await clientCredentials(fixture, app)).status).toBe(429);
  });

  it("admits requests again once the minute has passed on the emulator clock", async () => {
    const app = await createCustomConnection(fixture);
    await clientCredentials(fixture, app);
    await clientCredentials(fixture, app);
    expect((await clientCredentials(fixture, app)).status).toBe(429);
    await fixture.emulator.admin.advanceClock(60);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
  });

  it("does not process a refused refresh, so the same refresh token works once admitted", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    // The authorization code exchange was the first request of the minute.
    await clientCredentials(fixture, app);
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).status).toBe(429);
    // Past the 30-minute reuse grace: only a token that was never exchanged still works.
    await fixture.emulator.admin.advanceClock(31 * 60);
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).status).toBe(200);
  });

  it("notes the limit in the request log", async () => {
    const app = await createCustomConnection(fixture);
    await clientCredentials(fixture, app);
    await clientCredentials(fixture, app);
    await clientCredentials(fixture, app);
    const last = (await fixture.emulator.admin.requests()).at(-1);
    expect(last).toMatchObject({ path: "/identity/connect/token", status: 429, note: "token endpoint limit reached (2 a minute for this client id)" });
  });

  it("leaves the revocation endpoint alone", async () => {
    const app = await createCustomConnection(fixture);
    const revocationUrl = `${fixture.emulator.identityUrl}/connect/revocation`;
    for (let i = 0; i < 3; i += 1) {
      expect((await postForm(revocationUrl, { token: "unknown" }, { authorization: basic(app.clientId, app.clientSecret) })).status).toBe(200);
    }
  });
});

describe("tokenRateLimitPerMinute validation", () => {
  it("refuses to start with a limit below 1", async () => {
    await expect(startEmulator({ tokenRateLimitPerMinute: 0 })).rejects.toThrow("emulator option tokenRateLimitPerMinute must be a whole number of at least 1, got 0");
  });
});
