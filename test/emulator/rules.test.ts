import { validateAuthorizeRequest } from "../../emulator/authorize-rules";
import { EmulatorClock } from "../../emulator/clock";
import { createContext, urlsFor } from "../../emulator/context";
import type { EmulatorRequest } from "../../emulator/http";
import { resolveOptions } from "../../emulator/options";
import { cryptoRandom } from "../../emulator/random";
import { RateLimiter, TokenEndpointLimiter } from "../../emulator/rate-limits";
import { redactHeaders } from "../../emulator/request-log";
import { handleToken } from "../../emulator/routes/token";
import { TokenSigner } from "../../emulator/signing";
import { XeroState } from "../../emulator/state";
import type { AuthorizationCode, RefreshToken } from "../../emulator/token-store";
import { authorizationCodeProblem, refreshTokenProblem, s256Challenge } from "../../emulator/token-rules";
import { connectionLimitProblem, TIER_CONNECTION_LIMITS } from "../../emulator/tiers";
import { formatXeroTimestamp } from "../../emulator/wire";

/** Pure decisions and socket-free handlers: no server is started in this file. */

const T0 = new Date("2026-05-01T00:00:00Z");
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const session = { userId: "u", authTime: T0, authEventId: "e", globalSessionId: "g", sid: "s" };

function code(overrides: Partial<AuthorizationCode> = {}): AuthorizationCode {
  return { code: "C", clientId: "A", redirectUri: "https://a.example/cb", scopes: ["openid"], codeChallenge: undefined, codeChallengeMethod: undefined, nonce: undefined, session, createdAt: T0, redeemed: false, ...overrides };
}

function codeInput(overrides: Partial<Parameters<typeof authorizationCodeProblem>[0]> = {}): Parameters<typeof authorizationCodeProblem>[0] {
  return { code: code(), wasRedeemed: false, clientId: "A", redirectUri: "https://a.example/cb", codeVerifier: null, now: at(10), lifetimeSeconds: 300, ...overrides };
}

function refreshToken(overrides: Partial<RefreshToken> = {}): RefreshToken {
  return { handle: "R", clientId: "A", scopes: ["offline_access"], session, createdAt: T0, expiresAt: at(60 * 86400), consumedAt: undefined, successor: undefined, revoked: false, ...overrides };
}

describe("authorizationCodeProblem", () => {
  it("accepts a fresh code redeemed by its client with the same redirect_uri", () => {
    expect(authorizationCodeProblem(codeInput())).toBeUndefined();
  });
  it("refuses a code redeemed before", () => {
    expect(authorizationCodeProblem(codeInput({ wasRedeemed: true }))).toBe("authorization code has already been used");
  });
  it("accepts a code at exactly its lifetime and refuses it one second later", () => {
    expect(authorizationCodeProblem(codeInput({ now: at(300) }))).toBeUndefined();
    expect(authorizationCodeProblem(codeInput({ now: at(301) }))).toBe("authorization code has expired");
  });
  it("refuses a missing redirect_uri", () => {
    expect(authorizationCodeProblem(codeInput({ redirectUri: null }))).toBe("redirect_uri does not match the one sent to authorize");
  });
  it("accepts the verifier whose S256 hash is the challenge", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    expect(s256Challenge(verifier)).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    expect(authorizationCodeProblem(codeInput({ code: code({ codeChallenge: s256Challenge(verifier) }), codeVerifier: verifier }))).toBeUndefined();
  });
  it("refuses a verifier with characters outside the PKCE alphabet", () => {
    const verifier = `${"a".repeat(42)}+`;
    expect(authorizationCodeProblem(codeInput({ code: code({ codeChallenge: s256Challenge(verifier) }), codeVerifier: verifier }))).toBe(
      "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~",
    );
  });
});

describe("refreshTokenProblem", () => {
  it("accepts an unused token before its 60 days are up", () => {
    expect(refreshTokenProblem({ token: refreshToken(), successor: undefined, clientId: "A", now: at(60 * 86400 - 1) })).toBeUndefined();
  });
  it("refuses it at 60 days", () => {
    expect(refreshTokenProblem({ token: refreshToken(), successor: undefined, clientId: "A", now: at(60 * 86400) })).toBe("refresh token has expired (60 days unused)");
  });
  it("accepts a used token at exactly 30 minutes after use when its successor is unused", () => {
    const token = refreshToken({ consumedAt: at(0), successor: "S" });
    expect(refreshTokenProblem({ token, successor: refreshToken({ handle: "S" }), clientId: "A", now: at(1800) })).toBeUndefined();
  });
  it("refuses a used token one second after the grace", () => {
    const token = refreshToken({ consumedAt: at(0), successor: "S" });
    expect(refreshTokenProblem({ token, successor: refreshToken({ handle: "S" }), clientId: "A", now: at(1801) })).toBe(
      "refresh token was already used and its 30-minute reuse grace is over",
    );
  });
  it("refuses a used token whose successor has been used", () => {
    const token = refreshToken({ consumedAt: at(0), successor: "S" });
    expect(refreshTokenProblem({ token, successor: refreshToken({ handle: "S", consumedAt: at(5) }), clientId: "A", now: at(10) })).toBe(
      "refresh token was already used and its replacement has been used since",
    );
  });
  it("refuses a revoked token", () => {
    expect(refreshTokenProblem({ token: refreshToken({ revoked: true }), successor: undefined, clientId: "A", now: at(1) })).toBe("refresh token has been revoked or replaced");
  });
});

describe("validateAuthorizeRequest", () => {
  const clock = new EmulatorClock(T0, () => 0);
  const state = new XeroState(clock, cryptoRandom, { secretOverlap: true });
  const { app } = state.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: ["http://localhost:3000/cb"] });
  const params = (extra: Record<string, string>): URLSearchParams =>
    new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: "http://localhost:3000/cb", scope: "openid accounting.invoices", ...extra });

  it("accepts identity scopes even though the app lists only API scopes", () => {
    expect(validateAuthorizeRequest(params({ scope: "openid profile email offline_access" }), state).kind).toBe("ok");
  });
  it("shows an error page, not a redirect, for another port on localhost", () => {
    expect(validateAuthorizeRequest(params({ redirect_uri: "http://localhost:3001/cb" }), state)).toEqual({
      kind: "error-page",
      error: "invalid_request",
      description: "Invalid redirect_uri: http://localhost:3001/cb",
    });
  });
  it("keeps S256 challenges and nonces for the code", () => {
    const challenge = s256Challenge("x".repeat(43));
    const result = validateAuthorizeRequest(params({ code_challenge: challenge, code_challenge_method: "S256", nonce: "n" }), state);
    expect(result.kind === "ok" && [result.request.codeChallenge, result.request.nonce]).toEqual([challenge, "n"]);
  });
});

describe("RateLimiter", () => {
  const limits = { perTenantPerMinute: 60, perTenantPerDay: 5000, perTenantConcurrent: 5, perAppPerMinute: 10000 };

  it("refuses the sixth concurrent call for a tenant and admits one after a release", () => {
    const limiter = new RateLimiter(limits, new EmulatorClock(T0, () => 0));
    const admitted = Array.from({ length: 5 }, () => limiter.admit("A", "t"));
    expect(admitted.every((a) => a.admitted)).toBe(true);
    expect(limiter.admit("A", "t")).toMatchObject({ admitted: false, problem: "concurrent", retryAfterSeconds: 1 });
    const first = admitted[0];
    if (first?.admitted === true) first.release();
    expect(limiter.admit("A", "t").admitted).toBe(true);
  });

  it("says how many seconds remain until the oldest call leaves the minute", () => {
    let now = 0;
    const limiter = new RateLimiter({ ...limits, perTenantPerMinute: 1 }, new EmulatorClock(T0, () => now));
    const first = limiter.admit("A", "t");
    if (first.admitted) first.release();
    now = 20_000;
    expect(limiter.admit("A", "t")).toMatchObject({ admitted: false, problem: "minute", retryAfterSeconds: 40 });
  });
});

describe("connectionLimitProblem", () => {
  const tenants = (n: number, prefix = "t"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it("knows Xero's ceilings by tier", () => {
    expect(TIER_CONNECTION_LIMITS).toEqual({ starter: 5, core: 50, plus: 1000, advanced: 10000, enterprise: undefined, uncertified: 25 });
  });
  it.each([
    ["starter", 5],
    ["core", 50],
    ["plus", 1000],
    ["advanced", 10000],
    ["uncertified", 25],
  ] as const)("lets a %s app reach %i organisations and refuses one more", (tier, limit) => {
    const connected = new Set(tenants(limit - 1));
    expect(connectionLimitProblem({ tier, connectedTenantIds: connected, requestedTenantIds: ["new1"] })).toBeUndefined();
    expect(connectionLimitProblem({ tier, connectedTenantIds: connected, requestedTenantIds: ["new1", "new2"] })).toBe(
      `connection limit reached: ${tier} tier allows ${limit} organisations, ${limit - 1} connected, 2 more asked for`,
    );
  });
  it("never refuses an enterprise app", () => {
    expect(connectionLimitProblem({ tier: "enterprise", connectedTenantIds: new Set(tenants(20000)), requestedTenantIds: ["new"] })).toBeUndefined();
  });
  it("does not count a tenant ticked twice as two", () => {
    expect(connectionLimitProblem({ tier: "starter", connectedTenantIds: new Set(tenants(4)), requestedTenantIds: ["new", "new"] })).toBeUndefined();
  });
  it("lets an app already over its ceiling (after a downgrade) reconnect organisations it has", () => {
    expect(connectionLimitProblem({ tier: "starter", connectedTenantIds: new Set(tenants(8)), requestedTenantIds: ["t0", "t7"] })).toBeUndefined();
  });
});

describe("TokenEndpointLimiter", () => {
  it("does not count a refused request, so the window frees on time", () => {
    let now = 0;
    const limiter = new TokenEndpointLimiter(1, new EmulatorClock(T0, () => now));
    expect(limiter.admit("A")).toBeUndefined();
    now = 30_000;
    expect(limiter.admit("A")).toEqual({ retryAfterSeconds: 30 });
    now = 60_000;
    expect(limiter.admit("A")).toBeUndefined();
  });
});

describe("wire formats and redaction", () => {
  it("formats timestamps with seven fractional digits and no Z", () => {
    expect(formatXeroTimestamp(new Date("2019-12-07T18:46:19.516Z"))).toBe("2019-12-07T18:46:19.5160000");
  });
  it("redacts Authorization and Cookie headers", () => {
    expect(redactHeaders({ authorization: "Bearer abc.def", cookie: "s=1", accept: "*/*" })).toEqual({
      authorization: "Bearer [REDACTED]",
      cookie: "[REDACTED]",
      accept: "*/*",
    });
  });
});

describe("handlers without a socket", () => {
  it("answers a token request from an EmulatorRequest value", async () => {
    const options = resolveOptions({});
    const ctx = createContext({ options, urls: urlsFor("http://emulator.test"), signer: await TokenSigner.create() });
    const { app, clientSecret } = ctx.state.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"], redirectUris: [] });
    const request: EmulatorRequest = {
      method: "POST",
      path: "/identity/connect/token",
      query: new URLSearchParams(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: app.clientId, client_secret: clientSecret ?? "" }).toString(),
    };
    const response = await handleToken(request, ctx);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ token_type: "Bearer", expires_in: 1800, scope: "accounting.invoices" });
  });
});
