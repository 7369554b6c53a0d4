import { emulatorOptionsFromFlags } from "../../cli/commands/emulator";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { remainingLatencyMs } from "../../emulator/latency";
import { resolveOptions } from "../../emulator/options";
import { basic, bearer, codeFor, createWebApp, postForm, REDIRECT_URI, startFixture, type TokenSet } from "./helpers";

/**
 * The latency option. No test measures time: a latency of ten minutes is observed through
 * `GET /admin/latency`'s count of waiting requests, and ended by the client going away.
 */
const LONG_MS = 600_000;

let emulator: RunningEmulator;
let app: { clientId: string; clientSecret: string };
let tenantId: string;
let accessToken: string;

beforeAll(async () => {
  emulator = await startEmulator({ rateLimits: { perTenantConcurrent: 1 } });
  tenantId = (await emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
  const created = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.settings.read"] });
  app = { clientId: created.clientId, clientSecret: created.clientSecret ?? "" };
  await emulator.admin.link(app.clientId, tenantId);
  const token = await fetch(`${emulator.identityUrl}/connect/token`, {
    method: "POST",
    headers: { authorization: basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  accessToken = ((await token.json()) as TokenSet).access_token;
});
afterEach(async () => {
  await emulator.admin.setLatency(0);
  await emulator.admin.releaseHeldRequests();
});
afterAll(async () => {
  await emulator.close();
});

/** A request the test can abandon; its promise settles either way. */
function abandonable(url: string, init: RequestInit = {}): { answer: Promise<Response | string>; abandon: () => void } {
  const abort = new AbortController();
  const answer = fetch(url, { ...init, signal: abort.signal, redirect: "manual" }).catch((error: unknown) => (error as Error).name);
  return { answer, abandon: () => abort.abort() };
}

async function waitForWaiting(count: number): Promise<void> {
  while ((await emulator.admin.latency()).waiting !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("latencyMs", () => {
  it("is 0 unless set", async () => {
    expect(resolveOptions({}).latencyMs).toBe(0);
    expect(await emulator.admin.latency()).toEqual({ latencyMs: 0, waiting: 0 });
  });

  it("makes every Xero-facing endpoint wait, while the admin API answers at once", async () => {
    await emulator.admin.setLatency(LONG_MS);
    const calls = [
      abandonable(`${emulator.identityUrl}/connect/token`, {
        method: "POST",
        headers: { authorization: basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      }),
      abandonable(`${emulator.apiUrl}/connections`, { headers: bearer(accessToken) }),
      abandonable(`${emulator.apiUrl}/api.xro/2.0/Organisation`, { headers: bearer(accessToken) }),
      abandonable(`${emulator.identityUrl}/.well-known/openid-configuration`),
      abandonable(`${emulator.loginUrl}/identity/connect/authorize?client_id=${app.clientId}`),
    ];
    await waitForWaiting(5);
    expect((await emulator.admin.latency()).latencyMs).toBe(LONG_MS);
    calls.forEach((call) => call.abandon());
    await waitForWaiting(0);
    for (const call of calls) expect(await call.answer).toBe("AbortError");
  });

  it("makes an answer given without any work wait too (a 401 for a missing token)", async () => {
    await emulator.admin.setLatency(LONG_MS);
    const call = abandonable(`${emulator.apiUrl}/connections`);
    await waitForWaiting(1);
    call.abandon();
    await waitForWaiting(0);
  });

  it("ends the wait when the client goes away", async () => {
    await emulator.admin.setLatency(LONG_MS);
    const call = abandonable(`${emulator.apiUrl}/connections`, { headers: bearer(accessToken) });
    await waitForWaiting(1);
    call.abandon();
    await waitForWaiting(0);
    expect(await call.answer).toBe("AbortError");
  });

  it("answers normally once the latency has passed", async () => {
    await emulator.admin.setLatency(20);
    const result = await fetch(`${emulator.apiUrl}/connections`, { headers: bearer(accessToken) });
    expect(result.status).toBe(200);
    expect(((await result.json()) as Array<{ tenantId: string }>).map((c) => c.tenantId)).toEqual([tenantId]);
    expect((await emulator.admin.latency()).waiting).toBe(0);
  });

  it("keeps a tenant-scoped call in flight while it waits, so it counts against the concurrent limit", async () => {
    await emulator.admin.setLatency(LONG_MS);
    const first = abandonable(`${emulator.apiUrl}/api.xro/2.0/Organisation`, { headers: bearer(accessToken) });
    await waitForWaiting(1);
    await emulator.admin.setLatency(0);
    const second = await fetch(`${emulator.apiUrl}/api.xro/2.0/Organisation`, { headers: bearer(accessToken) });
    expect(second.status).toBe(429);
    expect(second.headers.get("x-rate-limit-problem")).toBe("concurrent");
    first.abandon();
    await waitForWaiting(0);
  });

  it("comes after a held request is released, and a hold still ends when its client goes away", async () => {
    await emulator.admin.setLatency(LONG_MS);
    await emulator.admin.injectFault({ path: "/api/connections", hold: true, count: 2 });
    const released = abandonable(`${emulator.apiUrl}/connections`, { headers: bearer(accessToken) });
    const abandoned = abandonable(`${emulator.apiUrl}/connections`, { headers: bearer(accessToken) });
    while ((await emulator.admin.heldRequests()) !== 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await emulator.admin.latency()).waiting).toBe(0);
    abandoned.abandon();
    while ((await emulator.admin.heldRequests()) !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await emulator.admin.latency()).waiting).toBe(0);
    expect(await emulator.admin.releaseHeldRequests()).toBe(1);
    await waitForWaiting(1);
    released.abandon();
    await waitForWaiting(0);
  });

  it("lets the token endpoint do its work during the latency: a code is spent while its answer still waits", async () => {
    const fixture = await startFixture();
    try {
      const web = await createWebApp(fixture);
      const code = await codeFor(fixture, web.clientId, "accounting.invoices");
      const exchange = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI };
      await fixture.emulator.admin.setLatency(LONG_MS);
      const waiting = abandonable(fixture.tokenUrl, {
        method: "POST",
        headers: { authorization: basic(web.clientId, web.clientSecret), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(exchange).toString(),
      });
      while ((await fixture.emulator.admin.latency()).waiting !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
      await fixture.emulator.admin.setLatency(0);
      // The first exchange has not answered, yet it has already used the code.
      const second = await postForm(fixture.tokenUrl, exchange, { authorization: basic(web.clientId, web.clientSecret) });
      expect(second.status).toBe(400);
      expect((second.json as { error: string }).error).toBe("invalid_grant");
      waiting.abandon();
      expect(await waiting.answer).toBe("AbortError");
    } finally {
      await fixture.emulator.close();
    }
  });

  it("refuses a latency that is not whole milliseconds of 0 or more", async () => {
    expect(() => resolveOptions({ latencyMs: -1 })).toThrow("emulator option latencyMs must be a whole number of milliseconds >= 0, got -1");
    expect(() => resolveOptions({ latencyMs: 1.5 })).toThrow("emulator option latencyMs must be a whole number of milliseconds >= 0, got 1.5");
    await expect(emulator.admin.setLatency(-5)).rejects.toThrow("latencyMs must be a whole number of milliseconds >= 0 (0 answers at once), got -5");
    expect((await emulator.admin.latency()).latencyMs).toBe(0);
  });

  it("is set from the command line with --latency-ms, and a bad value names the flag", () => {
    const base = { port: "0", host: "127.0.0.1", secretOverlap: true, autoConsent: false };
    expect(emulatorOptionsFromFlags({ ...base, latencyMs: "50" })).toMatchObject({ latencyMs: 50 });
    expect(emulatorOptionsFromFlags(base)).not.toHaveProperty("latencyMs");
    expect(() => emulatorOptionsFromFlags({ ...base, latencyMs: "fast" })).toThrow("--latency-ms must be a whole number of milliseconds, 0 or more, got fast");
  });

  it("is taken at start as an option", async () => {
    const slow = await startEmulator({ latencyMs: 25 });
    try {
      expect(await slow.admin.latency()).toEqual({ latencyMs: 25, waiting: 0 });
    } finally {
      await slow.close();
    }
  });
});

describe("remainingLatencyMs", () => {
  it("counts the latency from the request's arrival, so time spent before the handler waits is not added", () => {
    expect(remainingLatencyMs(50, 1_000, 1_000)).toBe(50);
    expect(remainingLatencyMs(50, 1_000, 1_012)).toBe(38);
  });

  it("rounds a fraction of a millisecond up, so no answer leaves before its latency has passed", () => {
    expect(remainingLatencyMs(50, 1_000, 1_012.4)).toBe(38);
    expect(remainingLatencyMs(50, 1_000.5, 1_000)).toBe(51);
  });

  it("is 0 once the latency has passed while the request was being read", () => {
    expect(remainingLatencyMs(50, 1_000, 1_050)).toBe(0);
    expect(remainingLatencyMs(50, 1_000, 1_075)).toBe(0);
  });
});
