import { ConnectionOutputs, type OAuthConnectionSpec } from "../../contract/connection";
import { DriftBackends, DriftRunContext, type DriftWorld } from "../../providers/drift/check-context";
import type { DriftCheckContext, DriftVendAnswer, DriftXeroClient } from "../../providers/drift";
import { oauthConnectionDriftCheck } from "../../providers/lifecycle/connection/drift";
import type { StateBackend, StoredDocument } from "../../providers/state";
import type { TokenSetStore } from "../../providers/tokens/locked-refresh";
import type { TokenSetRecord } from "../../providers/tokens/token-set-record";
import { createXeroCallLimiter } from "../../providers/xero/call-limiter";
import type { XeroClient } from "../../providers/xero/client";
import { XeroInvalidClientError } from "../../providers/xero/errors";

/**
 * How drift gets a connection's access token (DriftRunContext.vendAccessToken): only through the
 * token vending protocol, never when --no-refresh forbids it, and the check's answers to each case.
 * The store and the Xero client are this unit's edges, scripted here.
 */

const NOW = new Date("2026-06-10T12:00:00Z");
const clock = { now: () => NOW };
const minutes = (n: number): Date => new Date(NOW.getTime() + n * 60_000);

class ScriptedStore implements TokenSetStore {
  readonly location = { document: "ledger/Connection", backendFlag: "--backend local:/tmp/state" };
  readonly writes: TokenSetRecord[] = [];
  private serial = 1;
  constructor(private record: TokenSetRecord) {}
  async read() {
    return { serial: this.serial, record: this.record };
  }
  async write(_expected: number | undefined, record: TokenSetRecord) {
    this.writes.push(record);
    this.record = record;
    return ++this.serial;
  }
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async fingerprint(refreshToken: string) {
    return `fp:${refreshToken.length}`;
  }
}

const tokenSet = (accessExpiresAt: Date) => ({
  refreshToken: "stored-refresh-token",
  refreshTokenIssuedAt: new Date("2026-06-01T00:00:00Z"),
  accessToken: "cached-access-token",
  accessTokenExpiresAt: accessExpiresAt,
  scopes: ["offline_access", "accounting.invoices"],
});

function context(options: { noRefresh?: boolean } = {}): { ctx: DriftRunContext; refreshed: string[]; secrets: string[] } {
  const refreshed: string[] = [];
  const secrets: string[] = [];
  const world: DriftWorld = {
    env: {},
    projectRoot: "/nonexistent",
    clock,
    limiter: createXeroCallLimiter({ concurrency: 2, clock }),
    createXeroClient: (clientOptions) =>
      ({
        clientId: clientOptions.clientId,
        refresh: async (refreshToken: string) => {
          refreshed.push(`${refreshToken} with ${clientOptions.clientSecret ?? "no secret"}`);
          return { accessToken: "new-access-token", tokenType: "Bearer", expiresInSeconds: 1800, expiresAt: minutes(30), refreshToken: "new-refresh-token", scopes: ["offline_access"] };
        },
      }) as unknown as XeroClient,
    // The scripted store stands for the document; the backend under it is never touched.
    openBackend: async () => ({ close: async () => undefined }) as unknown as StateBackend,
    readFile: () => Promise.reject(new Error("no files in this test")),
    warn: () => undefined,
    noRefresh: options.noRefresh ?? false,
  };
  const ctx = new DriftRunContext(world, new DriftBackends(world), new Map(), "/nonexistent", NOW);
  return { ctx, refreshed, secrets };
}

/** The scripted store as the token set's location. */
const at = (store: TokenSetStore) => ({ backend: { type: "local", dir: "/tmp/state" } as const, store: () => store });

const webApp = (secrets: string[], value: { ok: true; value: string } | { ok: false; problem: string; fix: string } = { ok: true, value: "web-secret" }) => ({
  clientId: "C",
  clientSecret: async () => {
    secrets.push("resolved");
    return value;
  },
});

describe("drift's access token for a consented connection", () => {
  it("hands out a good cached access token without resolving the secret or refreshing", async () => {
    const { ctx, refreshed, secrets } = context();
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(20)) });
    const answer = await ctx.vendAccessToken(at(store), webApp(secrets));
    expect([answer.kind === "vended" && answer.token.accessToken, refreshed, secrets, store.writes]).toEqual(["cached-access-token", [], [], []]);
  });

  it("refreshes a stale one through the protocol: the write-ahead record, one refresh with the Web app's secret, the new set", async () => {
    const { ctx, refreshed, secrets } = context();
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(4)) });
    const answer = await ctx.vendAccessToken(at(store), webApp(secrets));
    expect([answer.kind === "vended" && answer.token.refreshed, refreshed]).toEqual([true, ["stored-refresh-token with web-secret"]]);
    expect(store.writes.map((record) => [record.refreshStarted?.fingerprint, record.tokenSet?.refreshToken])).toEqual([
      ["fp:20", "stored-refresh-token"],
      [undefined, "new-refresh-token"],
    ]);
  });

  it("with --no-refresh sends and writes nothing once the cached access token is within 5 minutes of expiring", async () => {
    const { ctx, refreshed, secrets } = context({ noRefresh: true });
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(4)) });
    const answer = await ctx.vendAccessToken(at(store), webApp(secrets));
    expect([answer, refreshed, secrets, store.writes]).toEqual([
      { kind: "refresh_not_allowed", why: `the cached access token expires at ${minutes(4).toISOString()}, within 5 minutes of the check or before it` },
      [], [], [],
    ]);
  });

  it("with --no-refresh leaves an unfinished refresh for the next token call to resume", async () => {
    const { ctx, refreshed } = context({ noRefresh: true });
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(20)), refreshStarted: { fingerprint: "fp:20", startedAt: minutes(-2) } });
    expect([await ctx.vendAccessToken(at(store), { clientId: "C" }), refreshed, store.writes]).toEqual([
      { kind: "refresh_not_allowed", why: "an unfinished refresh is recorded, and only a refresh resolves it" }, [], [],
    ]);
  });

  it("with --no-refresh still hands out a good cached access token", async () => {
    const { ctx } = context({ noRefresh: true });
    const answer = await ctx.vendAccessToken(at(new ScriptedStore({ tokenSet: tokenSet(minutes(20)) })), { clientId: "C" });
    expect(answer.kind === "vended" && [answer.token.accessToken, answer.token.refreshed]).toEqual(["cached-access-token", false]);
  });

  it("records nothing and refreshes nothing when the Web app's secret cannot be resolved", async () => {
    const { ctx, refreshed, secrets } = context();
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(-1)) });
    const answer = await ctx.vendAccessToken(at(store), webApp(secrets, { ok: false, problem: "variable LEDGER_SECRET is not set", fix: "Export it" }));
    expect([answer, refreshed, store.writes]).toEqual([{ kind: "secret_unavailable", problem: "variable LEDGER_SECRET is not set", fix: "Export it" }, [], []]);
  });

  it("resolves the secret for the protocol's refresh when its own read finds the cached token stale after drift's look", async () => {
    const { ctx, refreshed, secrets } = context();
    const store = new ScriptedStore({ tokenSet: tokenSet(minutes(20)) });
    const read = store.read.bind(store);
    let reads = 0;
    // Another holder replaced the cached token with one about to expire between drift's look and the protocol's read.
    store.read = async () => (++reads === 1 ? read() : { serial: 1, record: { tokenSet: tokenSet(minutes(1)) } });
    const answer = await ctx.vendAccessToken(at(store), webApp(secrets));
    expect([answer.kind === "vended" && answer.token.refreshed, refreshed, secrets]).toEqual([true, ["stored-refresh-token with web-secret"], ["resolved"]]);
  });

  it("writes nothing for a token set that needs a new consent, even one expired unused that no record says so yet", async () => {
    const { ctx, refreshed } = context();
    const expired = new ScriptedStore({ tokenSet: { ...tokenSet(minutes(-1)), refreshTokenIssuedAt: new Date("2026-04-01T00:00:00Z") } });
    const answer = await ctx.vendAccessToken(at(expired), { clientId: "C" });
    expect([answer.kind, answer.kind === "no_token_set" && answer.why, refreshed, expired.writes]).toEqual(["no_token_set", "needs_consent", [], []]);
  });
});

describe("the connection check's answer to each vend outcome", () => {
  const BACKEND = { type: "local", dir: "/tmp/state" } as const;
  const spec: OAuthConnectionSpec = {
    version: 1, kind: "oauth_connection", document: "ledger/Connection", backend: BACKEND,
    app: { document: "ledger/Web", backend: BACKEND, appName: "Ledger", appKind: "web", clientId: "C", clientSecret: { source: "env", name: "LEDGER_SECRET" }, redirectUris: ["http://localhost:5000/cb"], scopes: ["offline_access", "accounting.invoices"] },
    tenants: [], scopes: ["offline_access", "accounting.invoices"], keepAliveSeconds: 30 * 86_400, onDestroy: "retain",
  };
  const stored = { name: spec.document, serial: 3, values: ConnectionOutputs.encode({ status: "connected", refreshTokenIssuedAt: "2026-06-09T00:00:00Z", tenantIds: ["t"], tenantNames: ["T"] }) } as unknown as StoredDocument;

  function fake(vend: () => Promise<DriftVendAnswer>): DriftCheckContext {
    return {
      now: NOW,
      clock,
      xero: () => ({ clientId: "C" }) as DriftXeroClient,
      backend: async () => ({ openSecrets: async () => ({}) }) as never,
      customConnectionToken: () => Promise.reject(new Error("not for a connection")),
      appSecret: async () => ({ ok: true, value: "web-secret" }),
      vendAccessToken: vend,
    };
  }

  it("reports a secret drift cannot resolve as secret.unavailable for a declared connection", async () => {
    const result = await oauthConnectionDriftCheck.check({ spec, origin: "stack", stored }, fake(async () => ({ kind: "secret_unavailable", problem: "variable LEDGER_SECRET is not set", fix: "Export it" })));
    expect(result.findings.map((f) => [f.code, f.live, f.fix])).toEqual([["secret.unavailable", "variable LEDGER_SECRET is not set", "Export it"]]);
  });

  it("notes it instead for a connection rebuilt from its document", async () => {
    const result = await oauthConnectionDriftCheck.check({ spec, origin: "document", stored }, fake(async () => ({ kind: "secret_unavailable", problem: "variable LEDGER_SECRET is not set", fix: "Export it" })));
    expect(result).toEqual({ findings: [], notes: ["organisations and scopes not checked live: a refresh is needed and variable LEDGER_SECRET is not set"] });
  });

  it("reports Xero's invalid_client to the refresh as registration.invalid_client", async () => {
    const result = await oauthConnectionDriftCheck.check({ spec, origin: "stack", stored }, fake(() => Promise.reject(new XeroInvalidClientError("invalid_client", { error: "invalid_client", status: 400 }))));
    expect(result.findings.map((f) => f.code)).toEqual(["registration.invalid_client"]);
  });

  it("rebuilds the declaration from the document's connection_spec, in the backend drift was given", () => {
    const values = { ...stored.values, ...ConnectionOutputs.encode({ declaration: JSON.stringify({ ...spec, backend: { type: "local", dir: "state" }, app: { ...spec.app, backend: { type: "local", dir: "state" } } }) }) };
    const rebuilt = oauthConnectionDriftCheck.specFromDocument({ ...stored, values } as StoredDocument, { type: "pg", schema: "cdktf_xero" }, []);
    expect(rebuilt).toEqual({ ...spec, backend: { type: "pg", schema: "cdktf_xero" }, app: { ...spec.app, backend: { type: "pg", schema: "cdktf_xero" } } });
  });

  it("recognises a connection document by its connection_spec, before any consent too, and nothing else", () => {
    const declared = { values: ConnectionOutputs.encode({ declaration: "{}" }) } as unknown as StoredDocument;
    const app = { values: { kind: "web", client_id: "C" } } as unknown as StoredDocument;
    expect([oauthConnectionDriftCheck.recognises(declared), oauthConnectionDriftCheck.recognises(app)]).toEqual([true, false]);
  });

  it("finds awaiting_consent for a document that records the declaration and no status yet", async () => {
    const declaredOnly = { name: spec.document, serial: 1, values: ConnectionOutputs.encode({ declaration: "{}", keepAliveSeconds: 86_400 }) } as unknown as StoredDocument;
    const result = await oauthConnectionDriftCheck.check({ spec, origin: "stack", stored: declaredOnly }, fake(() => Promise.reject(new Error("no vend for a connection nobody consented to"))));
    expect(result.findings.map((f) => f.code)).toEqual(["connection.awaiting_consent"]);
  });
});
