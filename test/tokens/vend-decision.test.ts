import { DEFAULT_TOKEN_POLICY, type TokenSetRecord } from "../../providers/tokens/token-set-record";
import { decideVend } from "../../providers/tokens/vend-decision";

const NOW = new Date("2026-06-01T12:00:00Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function at(offsetMs: number): Date {
  return new Date(NOW.getTime() + offsetMs);
}

function connected(overrides: Partial<NonNullable<TokenSetRecord["tokenSet"]>> = {}): TokenSetRecord {
  return {
    tokenSet: {
      refreshToken: "refresh-1",
      refreshTokenIssuedAt: at(-1 * DAY),
      accessToken: "access-1",
      accessTokenExpiresAt: at(20 * MINUTE),
      scopes: ["offline_access", "accounting.invoices"],
      ...overrides,
    },
  };
}

describe("deciding how to vend an access token", () => {
  it("hands out the cached access token while it is good for more than five minutes", () => {
    expect(decideVend(connected(), NOW, undefined)).toEqual({ kind: "use-cached", accessToken: "access-1", expiresAt: at(20 * MINUTE) });
  });

  it("refreshes when the cached access token has five minutes or less left", () => {
    expect(decideVend(connected({ accessTokenExpiresAt: at(5 * MINUTE) }), NOW, undefined)).toEqual({ kind: "refresh", refreshToken: "refresh-1" });
  });

  it("refreshes when no access token is cached", () => {
    expect(decideVend(connected({ accessToken: undefined, accessTokenExpiresAt: undefined }), NOW, undefined)).toEqual({ kind: "refresh", refreshToken: "refresh-1" });
  });

  it("refreshes a good cached token when asked to (keepAlive)", () => {
    expect(decideVend(connected(), NOW, undefined, { forceRefresh: true })).toEqual({ kind: "refresh", refreshToken: "refresh-1" });
  });

  it("says not connected when no token set was ever stored", () => {
    expect(decideVend({}, NOW, undefined)).toEqual({ kind: "not-connected" });
  });

  it("says a new consent is needed once the refresh token went unused for 60 days", () => {
    const decision = decideVend(connected({ refreshTokenIssuedAt: at(-60 * DAY), accessTokenExpiresAt: at(-1 * MINUTE) }), NOW, undefined);
    expect(decision).toEqual({ kind: "needs-consent", reason: expect.stringContaining("Xero's 60-day limit"), recorded: false });
  });

  it("keeps saying a new consent is needed once that is recorded, whatever the tokens look like", () => {
    const record: TokenSetRecord = { ...connected(), needsConsent: { reason: "revoked", since: at(-MINUTE) } };
    expect(decideVend(record, NOW, undefined)).toEqual({ kind: "needs-consent", reason: "revoked", recorded: true });
  });

  it("resumes an unfinished refresh of the stored token before handing out even a good cached token", () => {
    const started = { fingerprint: "fp-of-refresh-1", startedAt: at(-2 * MINUTE) };
    const decision = decideVend({ ...connected(), refreshStarted: started }, NOW, "fp-of-refresh-1");
    expect(decision).toEqual({ kind: "refresh", refreshToken: "refresh-1", resuming: started });
  });

  it("resumes an unfinished refresh even past Xero's grace: if the first request never reached Xero the token still works", () => {
    const started = { fingerprint: "fp", startedAt: at(-DEFAULT_TOKEN_POLICY.refreshGraceMs - MINUTE) };
    expect(decideVend({ ...connected(), refreshStarted: started }, NOW, "fp")).toEqual({ kind: "refresh", refreshToken: "refresh-1", resuming: started });
  });

  it("ignores a write-ahead record of a refresh token that is no longer the stored one", () => {
    const record: TokenSetRecord = { ...connected(), refreshStarted: { fingerprint: "fp-of-an-older-token", startedAt: at(-MINUTE) } };
    expect(decideVend(record, NOW, "fp-of-refresh-1")).toEqual({ kind: "use-cached", accessToken: "access-1", expiresAt: at(20 * MINUTE) });
  });
});
