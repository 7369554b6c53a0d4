import { basic, clientCredentials, createCustomConnection, createWebApp, pkcePair, postForm, refresh, startFixture, userTokens, type Fixture, type TokenSet } from "./helpers";

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("injected faults", () => {
  it("answers the next `count` requests to the path with the injected status, then behaves again", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", status: 503, count: 2 });
    expect((await clientCredentials(fixture, app)).status).toBe(503);
    expect((await clientCredentials(fixture, app)).status).toBe(503);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
  });

  it("adds Retry-After to an injected 429", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: `${fixture.emulator.identityUrl}/connect/token`, status: 429, count: 1 });
    const result = await clientCredentials(fixture, app);
    expect(result.status).toBe(429);
    expect(result.headers.get("retry-after")).toBe("1");
  });

  it("sends the Retry-After an injected 429 names in retryAfterSeconds", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", status: 429, retryAfterSeconds: 7, count: 1 });
    const result = await clientCredentials(fixture, app);
    expect(result.status).toBe(429);
    expect(result.headers.get("retry-after")).toBe("7");
    expect((await fixture.emulator.admin.requests()).at(-1)?.fault).toBe("status 429 retry-after 7s");
  });

  it("refuses retryAfterSeconds on a fault that is not a 429, naming the field", async () => {
    await expect(fixture.emulator.admin.injectFault({ path: "/identity/connect/token", status: 503, retryAfterSeconds: 7, count: 1 })).rejects.toThrow(
      "retryAfterSeconds is the Retry-After of an injected 429: set status 429 with it, got status 503",
    );
  });

  it("drops the connection before doing the work, so a refresh token is not rotated", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", drop: "before", count: 1 });
    await expect(refresh(fixture, app, tokens.refresh_token ?? "")).rejects.toThrow();
    const next = refreshTokenAfter(await refresh(fixture, app, tokens.refresh_token ?? ""));
    // Not consumed by the dropped call: its successor is the first one, so using it works.
    expect((await refresh(fixture, app, next)).status).toBe(200);
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).json).toEqual({ error: "invalid_grant" });
  });

  it("drops the connection after committing, so the refresh token was rotated and the old one rides the grace", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    await expect(refresh(fixture, app, tokens.refresh_token ?? "")).rejects.toThrow();
    const log = await fixture.emulator.admin.requests();
    const dropped = log.filter((e) => e.status === "dropped").at(-1);
    expect(dropped?.fault).toBe("drop after-commit");
    // The lost response's replacement was never used, so the old token works within the grace.
    const retry = await refresh(fixture, app, tokens.refresh_token ?? "");
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ token_type: "Bearer" });
    expect((await fixture.emulator.admin.requests()).at(-1)?.note).toBe("old refresh token reused within the 30-minute grace");
  });

  it("delays a request and then answers it normally", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", delayMs: 50, count: 1 });
    expect((await clientCredentials(fixture, app)).status).toBe(200);
    const entry = (await fixture.emulator.admin.requests()).at(-1);
    expect(entry?.fault).toBe("delay 50ms");
  });

  it("holds a request until the test releases it, then answers it normally", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 1 });
    const answer = clientCredentials(fixture, app);
    await waitForHeld(1);
    expect(await fixture.emulator.admin.releaseHeldRequests()).toBe(1);
    expect((await answer).status).toBe(200);
    expect((await fixture.emulator.admin.requests()).at(-1)?.fault).toBe("hold");
    expect(await fixture.emulator.admin.heldRequests()).toBe(0);
  });

  it("lets a held request go when its client goes away, without a release", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 1 });
    const abort = new AbortController();
    const answer = fetch(fixture.tokenUrl, {
      method: "POST",
      headers: { authorization: basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
      signal: abort.signal,
    });
    await waitForHeld(1);
    abort.abort();
    await expect(answer).rejects.toThrow();
    await waitForHeld(0);
    expect(await fixture.emulator.admin.releaseHeldRequests()).toBe(0);
  });

  it("answers a request delayAfterCommitMs after doing its work", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", delayAfterCommitMs: 50, count: 1 });
    expect((await clientCredentials(fixture, app)).status).toBe(200);
    expect((await fixture.emulator.admin.requests()).at(-1)?.fault).toBe("delay 50ms after commit");
  });

  it("rotates a refresh token whose answer is held back by delayAfterCommitMs, though its client gives up waiting", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", delayAfterCommitMs: 600_000, count: 1 });
    const abort = new AbortController();
    const answer = fetch(fixture.tokenUrl, {
      method: "POST",
      headers: { authorization: basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }).toString(),
      signal: abort.signal,
    });
    while ((await fixture.emulator.admin.inflightRequests()) !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    await expect(answer).rejects.toThrow();
    while ((await fixture.emulator.admin.inflightRequests()) !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await fixture.emulator.admin.requests()).at(-1)).toMatchObject({ status: 200, fault: "delay 600000ms after commit" });
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).status).toBe(200);
    expect((await fixture.emulator.admin.requests()).at(-1)?.note).toBe("old refresh token reused within the 30-minute grace");
  });

  it("refuses delayAfterCommitMs with status or drop, naming why", async () => {
    await expect(fixture.emulator.admin.injectFault({ path: "/identity/connect/token", delayAfterCommitMs: 10, drop: "after-commit", count: 1 })).rejects.toThrow(
      "delayAfterCommitMs delays the answer to work that was done: it cannot go with status (no work is done) or drop (no answer is sent)",
    );
  });

  it("forgets the faults still to fire on DELETE /faults", async () => {
    const app = await createCustomConnection(fixture);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", status: 503, count: 3 });
    expect(await fixture.emulator.admin.clearFaults()).toBe(1);
    expect((await clientCredentials(fixture, app)).status).toBe(200);
  });

  it("rejects a fault that both delays and holds", async () => {
    await expect(fixture.emulator.admin.injectFault({ path: "/identity/connect/token", delayMs: 10, hold: true, count: 1 })).rejects.toThrow(
      "a fault may set delayMs or hold, not both",
    );
  });
});

/** Polls the emulator until exactly `count` requests are held: a condition, not a time window. */
async function waitForHeld(count: number): Promise<void> {
  while ((await fixture.emulator.admin.heldRequests()) !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

function refreshTokenAfter(result: { json: unknown }): string {
  return (result.json as TokenSet).refresh_token ?? "";
}

describe("requests in flight", () => {
  it("counts a request from its arrival until it is answered, and not admin calls", async () => {
    const app = await createCustomConnection(fixture);
    expect(await fixture.emulator.admin.inflightRequests()).toBe(0);
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 1 });
    const answer = clientCredentials(fixture, app);
    await waitForHeld(1);
    expect(await fixture.emulator.admin.inflightRequests()).toBe(1);
    await fixture.emulator.admin.releaseHeldRequests();
    expect((await answer).status).toBe(200);
    expect(await fixture.emulator.admin.inflightRequests()).toBe(0);
  });

  it("still serves, and counts until done, a refresh whose client went away: the token is rotated", async () => {
    const app = await createWebApp(fixture);
    const tokens = await userTokens(fixture, app, "offline_access accounting.invoices");
    await fixture.emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 1 });
    const abort = new AbortController();
    const answer = fetch(fixture.tokenUrl, {
      method: "POST",
      headers: { authorization: basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }).toString(),
      signal: abort.signal,
    });
    await waitForHeld(1);
    abort.abort();
    await expect(answer).rejects.toThrow();
    while ((await fixture.emulator.admin.inflightRequests()) !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await fixture.emulator.admin.requests()).at(-1)).toMatchObject({ path: "/identity/connect/token", status: 200 });
    // Rotated: the old token now only rides the grace, which a reuse shows in the log.
    expect((await refresh(fixture, app, tokens.refresh_token ?? "")).status).toBe(200);
    expect((await fixture.emulator.admin.requests()).at(-1)?.note).toBe("old refresh token reused within the 30-minute grace");
  });
});

describe("the request log", () => {
  it("redacts the Authorization header but keeps its scheme", async () => {
    await fixture.emulator.admin.clearRequests();
    const app = await createCustomConnection(fixture);
    await clientCredentials(fixture, app);
    const [entry] = await fixture.emulator.admin.requests();
    expect(entry?.headers["authorization"]).toBe("Basic [REDACTED]");
    expect(JSON.stringify(entry)).not.toContain(app.clientSecret);
  });

  it("redacts client_secret, code, code_verifier, refresh_token and token in form bodies", async () => {
    await fixture.emulator.admin.clearRequests();
    const app = await createWebApp(fixture);
    const { verifier } = pkcePair();
    const secretValues = { client_secret: app.clientSecret, code: "CODE-VALUE", code_verifier: verifier, refresh_token: "RT-VALUE" };
    await postForm(fixture.tokenUrl, { grant_type: "authorization_code", client_id: app.clientId, redirect_uri: "https://app.example.com/callback", ...secretValues });
    await postForm(`${fixture.emulator.identityUrl}/connect/revocation`, { token: "TOKEN-VALUE" }, { authorization: basic(app.clientId, app.clientSecret) });
    const entries = await fixture.emulator.admin.requests();
    expect(entries[0]?.body).toEqual({
      grant_type: "authorization_code",
      client_id: app.clientId,
      redirect_uri: "https://app.example.com/callback",
      client_secret: "[REDACTED]",
      code: "[REDACTED]",
      code_verifier: "[REDACTED]",
      refresh_token: "[REDACTED]",
    });
    expect(entries[1]?.body).toEqual({ token: "[REDACTED]" });
    const text = JSON.stringify(entries);
    for (const value of [...Object.values(secretValues), "TOKEN-VALUE"]) expect(text).not.toContain(value);
  });

  it("records the status, correlation id and the reason the emulator refused", async () => {
    await fixture.emulator.admin.clearRequests();
    const app = await createCustomConnection(fixture);
    const result = await clientCredentials(fixture, { clientId: app.clientId, clientSecret: "wrong" });
    const [entry] = await fixture.emulator.admin.requests();
    expect(entry).toMatchObject({
      method: "POST",
      path: "/identity/connect/token",
      status: 400,
      correlationId: result.headers.get("xero-correlation-id"),
      note: "client_secret does not match a valid secret",
    });
  });

  it("does not log admin calls", async () => {
    await fixture.emulator.admin.clearRequests();
    await fixture.emulator.admin.createOrg({ name: "Quiet" });
    expect(await fixture.emulator.admin.requests()).toEqual([]);
  });
});
