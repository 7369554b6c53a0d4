import { startEmulator, type RunningEmulator } from "../../emulator";
import { basic, bearer, get, postForm, REDIRECT_URI, type HttpResult, type TokenSet } from "./helpers";

/** An emulator with a user connected to two organisations and a linked Custom Connection. */
async function setUp(options: Parameters<typeof startEmulator>[0] = {}): Promise<{
  emulator: RunningEmulator;
  userToken: string;
  ccToken: string;
  tenantA: string;
  tenantB: string;
  stranger: string;
}> {
  const emulator = await startEmulator({ autoConsent: true, ...options });
  const { admin } = emulator;
  const tenantA = (await admin.createOrg({ name: "A" })).tenantId;
  const tenantB = (await admin.createOrg({ name: "B" })).tenantId;
  const stranger = (await admin.createOrg({ name: "Not connected" })).tenantId;
  const { userId } = await admin.createUser({ email: "u@example.com" });
  await admin.consent({ userId, tenantIds: [tenantA, tenantB] });
  const web = await admin.createApp({ kind: "web", name: "w", scopes: ["accounting.settings.read"], redirectUris: [REDIRECT_URI] });
  const url = new URL(`${emulator.loginUrl}/identity/connect/authorize`);
  url.search = new URLSearchParams({ response_type: "code", client_id: web.clientId, redirect_uri: REDIRECT_URI, scope: "accounting.settings.read" }).toString();
  const code = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "").searchParams.get("code") ?? "";
  const tokenUrl = `${emulator.identityUrl}/connect/token`;
  const user = await postForm(tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }, { authorization: basic(web.clientId, web.clientSecret ?? "") });
  const cc = await admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.settings.read"] });
  await admin.link(cc.clientId, tenantA);
  const ccResult = await postForm(tokenUrl, { grant_type: "client_credentials" }, { authorization: basic(cc.clientId, cc.clientSecret ?? "") });
  return { emulator, userToken: (user.json as TokenSet).access_token, ccToken: (ccResult.json as TokenSet).access_token, tenantA, tenantB, stranger };
}

function organisation(emulator: RunningEmulator, token: string, tenantId?: string): Promise<HttpResult> {
  return get(`${emulator.apiUrl}/api.xro/2.0/Organisation`, { ...bearer(token), ...(tenantId === undefined ? {} : { "xero-tenant-id": tenantId }) });
}

describe("tenant-scoped calls", () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp();
  });
  afterAll(async () => {
    await env.emulator.close();
  });

  it("answers a connected tenant with 200 and all three limit headers", async () => {
    const result = await organisation(env.emulator, env.userToken, env.tenantB);
    expect(result.status).toBe(200);
    expect(result.headers.get("x-daylimit-remaining")).toBe("4999");
    expect(result.headers.get("x-minlimit-remaining")).toBe("59");
    expect(result.headers.get("x-appminlimit-remaining")).toBe("9999");
  });

  it("answers a tenant the token may not use with Xero's 403 body", async () => {
    const result = await organisation(env.emulator, env.userToken, env.stranger);
    expect(result.status).toBe(403);
    const body = result.json as Record<string, unknown>;
    expect(body).toEqual({ title: "Forbidden", status: 403, detail: "AuthenticationUnsuccessful", instance: body["instance"] });
    expect(body["instance"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts X-AppMinLimit-Remaining, but no tenant limit headers, on a 403 and does not count it", async () => {
    const before = await get(`${env.emulator.apiUrl}/connections`, bearer(env.userToken));
    const refused = await organisation(env.emulator, env.userToken, env.stranger);
    expect(refused.headers.get("x-appminlimit-remaining")).toBe(before.headers.get("x-appminlimit-remaining"));
    expect(refused.headers.get("x-minlimit-remaining")).toBeNull();
    expect(refused.headers.get("x-daylimit-remaining")).toBeNull();
  });

  it("answers a user token without xero-tenant-id with 403", async () => {
    expect((await organisation(env.emulator, env.userToken)).status).toBe(403);
  });

  it("lets a Custom Connection token call its organisation without xero-tenant-id", async () => {
    const result = await organisation(env.emulator, env.ccToken);
    expect(result.status).toBe(200);
    expect((result.json as { Organisations: { OrganisationID: string }[] }).Organisations[0]?.OrganisationID).toBe(env.tenantA);
  });
});

describe("per-tenant minute limit", () => {
  it("answers the 61st call in a minute with 429, Retry-After and X-Rate-Limit-Problem minute", async () => {
    const env = await setUp();
    try {
      for (let i = 0; i < 60; i += 1) expect((await organisation(env.emulator, env.userToken, env.tenantA)).status).toBe(200);
      const refused = await organisation(env.emulator, env.userToken, env.tenantA);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-rate-limit-problem")).toBe("minute");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect(refused.headers.get("x-minlimit-remaining")).toBe("0");
    } finally {
      await env.emulator.close();
    }
  });

  it("counts each tenant separately", async () => {
    const env = await setUp({ rateLimits: { perTenantPerMinute: 2 } });
    try {
      await organisation(env.emulator, env.userToken, env.tenantA);
      await organisation(env.emulator, env.userToken, env.tenantA);
      expect((await organisation(env.emulator, env.userToken, env.tenantA)).status).toBe(429);
      expect((await organisation(env.emulator, env.userToken, env.tenantB)).status).toBe(200);
    } finally {
      await env.emulator.close();
    }
  });

  it("admits calls again once the minute has passed on the emulator clock", async () => {
    const env = await setUp({ rateLimits: { perTenantPerMinute: 2 } });
    try {
      await organisation(env.emulator, env.userToken, env.tenantA);
      await organisation(env.emulator, env.userToken, env.tenantA);
      expect((await organisation(env.emulator, env.userToken, env.tenantA)).status).toBe(429);
      await env.emulator.admin.advanceClock(60);
      // The access token is still valid: 60 s of its 1800.
      expect((await organisation(env.emulator, env.userToken, env.tenantA)).status).toBe(200);
    } finally {
      await env.emulator.close();
    }
  });
});

describe("per-tenant day limit", () => {
  it("answers with 429 and X-Rate-Limit-Problem day once the day's calls are used", async () => {
    const env = await setUp({ rateLimits: { perTenantPerDay: 3 } });
    try {
      for (let i = 0; i < 3; i += 1) await organisation(env.emulator, env.userToken, env.tenantA);
      const refused = await organisation(env.emulator, env.userToken, env.tenantA);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-rate-limit-problem")).toBe("day");
      expect(refused.headers.get("x-daylimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    } finally {
      await env.emulator.close();
    }
  });
});

describe("per-tenant concurrency limit", () => {
  it("refuses a sixth call while five are in flight with X-Rate-Limit-Problem concurrent", async () => {
    const env = await setUp();
    try {
      // Five calls held in flight (the test releases them), then a sixth: no timing involved.
      await env.emulator.admin.injectFault({ path: "/api/api.xro/2.0/Organisation", hold: true, count: 5 });
      const inFlight = Array.from({ length: 5 }, () => organisation(env.emulator, env.userToken, env.tenantA));
      while ((await env.emulator.admin.heldRequests()) < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = await organisation(env.emulator, env.userToken, env.tenantA);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-rate-limit-problem")).toBe("concurrent");
      expect(refused.headers.get("retry-after")).toBe("1");
      await env.emulator.admin.releaseHeldRequests();
      expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await env.emulator.close();
    }
  });
});

describe("per-app minute limit", () => {
  it("applies to tenantless GET /connections, which carries only X-AppMinLimit-Remaining", async () => {
    const env = await setUp({ rateLimits: { perAppPerMinute: 2 } });
    try {
      const first = await get(`${env.emulator.apiUrl}/connections`, bearer(env.userToken));
      expect(first.status).toBe(200);
      expect(first.headers.get("x-appminlimit-remaining")).toBe("1");
      expect(first.headers.get("x-minlimit-remaining")).toBeNull();
      expect(first.headers.get("x-daylimit-remaining")).toBeNull();
      await get(`${env.emulator.apiUrl}/connections`, bearer(env.userToken));
      const refused = await get(`${env.emulator.apiUrl}/connections`, bearer(env.userToken));
      expect(refused.status).toBe(429);
      expect(refused.headers.get("x-rate-limit-problem")).toBe("appminute");
    } finally {
      await env.emulator.close();
    }
  });

  it("does not count GET /connections against the tenant limits", async () => {
    const env = await setUp({ rateLimits: { perTenantPerMinute: 1 } });
    try {
      for (let i = 0; i < 3; i += 1) expect((await get(`${env.emulator.apiUrl}/connections`, bearer(env.userToken))).status).toBe(200);
      expect((await organisation(env.emulator, env.userToken, env.tenantA)).status).toBe(200);
    } finally {
      await env.emulator.close();
    }
  });
});
