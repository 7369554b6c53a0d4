import { createHash } from "node:crypto";
import type { RunningEmulator } from "../../emulator";
import { ManualClock } from "../../providers/clock";
import { StateConflictError } from "../../providers/state/errors";
import { ConnectionNotConsentedError, ConsentRequiredError } from "../../providers/tokens/errors";
import { vendAccessToken, type RefreshFailpoint, type TokenSetStore } from "../../providers/tokens/locked-refresh";
import type { TokenSetRecord } from "../../providers/tokens/token-set-record";
import { XeroRefreshOutcomeUnknownError } from "../../providers/xero/errors";
import type { XeroClient } from "../../providers/xero/client";
import { createState } from "../../providers/xero/pkce";
import { authorizationCode, clientFor, consentingUser, REDIRECT_URI, startTestEmulator } from "../xero/emulator-fixture";
import { rejection } from "../xero/helpers";

/**
 * The token vending protocol against the emulator's real token endpoint, over an in-memory document
 * (this unit's edge: the state backends have their own contract tests).
 */

const SCOPES = ["openid", "profile", "email", "offline_access", "accounting.invoices"];
const MINUTE = 60_000;
const LOCATION = { document: "crm-connection", backendFlag: "--backend local:state" };

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  await consentingUser(emulator);
});

afterAll(async () => {
  await emulator.close();
});

/** One document in memory: serial, compare-and-swap, a lock, and every record written. */
class MemoryTokenSetStore implements TokenSetStore {
  readonly location = LOCATION;
  serial: number | undefined;
  record: TokenSetRecord = {};
  readonly written: TokenSetRecord[] = [];
  private lock: Promise<void> = Promise.resolve();

  constructor(record?: TokenSetRecord) {
    if (record !== undefined) {
      this.record = record;
      this.serial = 1;
    }
  }

  async read() {
    return { serial: this.serial, record: this.record };
  }

  async write(expectedSerial: number | undefined, record: TokenSetRecord): Promise<number> {
    if (expectedSerial !== this.serial) throw new StateConflictError(LOCATION.document, expectedSerial, this.serial);
    this.serial = (this.serial ?? 0) + 1;
    this.record = record;
    this.written.push(record);
    return this.serial;
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async fingerprint(refreshToken: string): Promise<string> {
    return createHash("sha256").update(refreshToken).digest("hex").slice(0, 16);
  }
}

/** A consented Web app: its client, a clock in step with the emulator's, and a store holding the token set. */
async function consented(options: { accessTokenExpiresInMs?: number } = {}): Promise<{ client: XeroClient; clock: ManualClock; store: MemoryTokenSetStore }> {
  const app = await emulator.admin.createApp({ kind: "web", name: "CRM", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
  const clock = new ManualClock(await emulator.admin.now());
  const { client } = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" }, { clock });
  const state = createState();
  const code = await authorizationCode(client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state }), state);
  const tokens = await client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
  const store = new MemoryTokenSetStore({
    tokenSet: {
      refreshToken: tokens.refreshToken ?? "",
      refreshTokenIssuedAt: clock.now(),
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: new Date(clock.now().getTime() + (options.accessTokenExpiresInMs ?? 30 * MINUTE)),
      scopes: tokens.scopes,
    },
  });
  return { client, clock, store };
}

async function advance(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await emulator.admin.advanceClock(ms / 1000);
}

async function tokenRequests(): Promise<number> {
  return (await emulator.admin.requests()).filter((entry) => entry.path === "/identity/connect/token").length;
}

describe("vending an access token", () => {
  it("hands out the cached access token without calling Xero or taking the lock", async () => {
    const { client, clock, store } = await consented();
    await emulator.admin.clearRequests();
    const vended = await vendAccessToken(store, client, { clock });
    expect(vended).toEqual(expect.objectContaining({ accessToken: store.record.tokenSet?.accessToken, refreshed: false }));
    expect(await tokenRequests()).toBe(0);
    expect(store.written).toEqual([]);
  });

  it("refreshes an access token that is about to expire, writing ahead, then the new set, and clearing the record", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 4 * MINUTE });
    const before = store.record.tokenSet!;
    const vended = await vendAccessToken(store, client, { clock });
    expect(vended.refreshed).toBe(true);
    expect(store.written).toHaveLength(2);
    expect(store.written[0]).toEqual({ tokenSet: before, refreshStarted: { fingerprint: await store.fingerprint(before.refreshToken), startedAt: clock.now() } });
    expect(store.written[1]!.refreshStarted).toBeUndefined();
    expect(store.written[1]!.tokenSet?.refreshToken).not.toBe(before.refreshToken);
    expect(store.written[1]!.tokenSet?.accessToken).toBe(vended.accessToken);
  });

  it("stores the rotated refresh token, which refreshes again", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    await vendAccessToken(store, client, { clock });
    await advance(clock, 26 * MINUTE);
    const again = await vendAccessToken(store, client, { clock });
    expect(again.refreshed).toBe(true);
  });

  it("fails with the connect command when nobody has consented yet", async () => {
    const { client, clock } = await consented();
    const error = await rejection(vendAccessToken(new MemoryTokenSetStore(), client, { clock }));
    expect(error).toBeInstanceOf(ConnectionNotConsentedError);
    expect((error as Error).message).toContain("Run `cdktf-xero connect crm-connection --backend local:state`");
  });
});

describe("a refresh cut off after the write-ahead record", () => {
  it("is resumed by the next call with the same refresh token, keeping the first start time", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    const crash = (name: RefreshFailpoint) => {
      if (name === "refresh-recorded") throw new Error("killed");
    };
    await expect(vendAccessToken(store, client, { clock, failpoints: crash })).rejects.toThrow("killed");
    const started = store.record.refreshStarted!;
    await advance(clock, 10 * MINUTE);
    const vended = await vendAccessToken(store, client, { clock });
    expect(vended).toEqual(expect.objectContaining({ refreshed: true, resumed: true }));
    expect(store.written.at(-2)?.refreshStarted).toEqual(started);
    expect(store.record.refreshStarted).toBeUndefined();
  });
});

describe("a refresh whose answer is lost after Xero rotated the token", () => {
  it("leaves the write-ahead record, and the next call within the grace gets a working token set", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    expect(await rejection(vendAccessToken(store, client, { clock }))).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    expect(store.record.refreshStarted).toBeDefined();
    await advance(clock, 20 * MINUTE);
    const vended = await vendAccessToken(store, client, { clock });
    expect(vended.resumed).toBe(true);
    await advance(clock, 26 * MINUTE);
    expect((await vendAccessToken(store, client, { clock })).refreshed).toBe(true);
  });

  it("records that a new consent is needed when the next call comes after the grace, and never calls Xero again", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    await rejection(vendAccessToken(store, client, { clock }));
    await advance(clock, 31 * MINUTE);
    const error = await rejection(vendAccessToken(store, client, { clock }));
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect((error as Error).message).toMatch(/30-minute grace.*Run `cdktf-xero connect crm-connection --backend local:state`/);
    expect(store.record.needsConsent?.since).toEqual(clock.now());
    expect(store.record.tokenSet).toBeDefined();
    await emulator.admin.clearRequests();
    expect(await rejection(vendAccessToken(store, client, { clock }))).toBeInstanceOf(ConsentRequiredError);
    expect(await tokenRequests()).toBe(0);
  });
});

describe("a refresh token Xero refuses", () => {
  it("is not retried: one token request, then the record says a new consent is needed", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    await client.revoke(store.record.tokenSet!.refreshToken);
    await emulator.admin.clearRequests();
    const error = await rejection(vendAccessToken(store, client, { clock }));
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect(await tokenRequests()).toBe(1);
    expect(store.record.needsConsent?.reason).toContain("invalid_grant");
    expect(store.record.refreshStarted).toBeUndefined();
  });
});

describe("a holder whose lock was taken over", () => {
  it("cannot overwrite the newer token set its successor wrote", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    const successor: TokenSetRecord = { tokenSet: { ...store.record.tokenSet!, refreshToken: "successor's token" } };
    const takenOver = (name: RefreshFailpoint) => {
      if (name === "refresh-answered") void store.write(store.serial, successor);
    };
    expect(await rejection(vendAccessToken(store, client, { clock, failpoints: takenOver }))).toBeInstanceOf(StateConflictError);
    expect(store.record).toBe(successor);
  });
});

describe("concurrent consumers in one process", () => {
  it("share one refresh: the others find the new access token under the lock", async () => {
    const { client, clock, store } = await consented({ accessTokenExpiresInMs: 0 });
    await emulator.admin.clearRequests();
    const vended = await Promise.all(Array.from({ length: 8 }, () => vendAccessToken(store, client, { clock })));
    expect(await tokenRequests()).toBe(1);
    expect(new Set(vended.map((v) => v.accessToken)).size).toBe(1);
    expect(vended.filter((v) => v.refreshed)).toHaveLength(1);
  });
});
