import { ConnectionOutputs, ConnectionSecretKeys } from "../../contract/connection";
import { documentTokenSetStore, TOKEN_SET_HISTORY_ACTION } from "../../providers/lifecycle/connection/token-set-store";
import { StateConflictError, type StateBackend, type StoredDocument } from "../../providers/state";
import type { TokenSetRecord } from "../../providers/tokens/token-set-record";
import { fixtureFor, type BackendFixture } from "../state/support/fixtures";

/**
 * The token vending protocol's store over a connection document (providers/lifecycle/connection/
 * token-set-store.ts), on both backends: what a record becomes in the document, and what it keeps.
 */

const ISSUED = new Date("2026-03-01T10:00:00Z");
const DAY_MS = 86_400_000;
const RECORD: TokenSetRecord = {
  tokenSet: {
    refreshToken: "rt-secret-1",
    refreshTokenIssuedAt: ISSUED,
    accessToken: "at-secret-1",
    accessTokenExpiresAt: new Date("2026-03-01T10:30:00Z"),
    scopes: ["offline_access", "accounting.invoices"],
  },
};

describe.each(["local", "pg"] as const)("the connection document's token set store (%s)", (kind) => {
  let fixture: BackendFixture;
  let backend: StateBackend;
  let counter = 0;
  const freshName = (): string => `conn${(counter += 1)}/Connection`;

  beforeAll(async () => {
    fixture = await fixtureFor(kind, "tokenstore");
    backend = await fixture.open();
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  it("reads a missing document as no serial and an empty record", async () => {
    const store = documentTokenSetStore(backend, freshName());
    await expect(store.read()).resolves.toEqual({ serial: undefined, record: {} });
  });

  it("reads back exactly the record it wrote", async () => {
    const name = freshName();
    const store = documentTokenSetStore(backend, name);
    const serial = await store.write(undefined, RECORD);
    // A fresh store, as another process would have: nothing cached.
    await expect(documentTokenSetStore(backend, name).read()).resolves.toEqual({ serial, record: RECORD });
  });

  it("keeps the tokens only in the sealed envelope, never in a plain output", async () => {
    const name = freshName();
    await documentTokenSetStore(backend, name).write(undefined, RECORD);
    const raw = (await fixture.getRaw(name)) ?? "";
    expect(raw).not.toContain("rt-secret-1");
    expect(raw).not.toContain("at-secret-1");
    const stored = await backend.read(name);
    expect(await backend.openSecrets(stored!)).toEqual({ [ConnectionSecretKeys.refreshToken]: "rt-secret-1", [ConnectionSecretKeys.accessToken]: "at-secret-1" });
  });

  it("writes the refresh token's expiry, its keepAlive due time and the 55-day point beside it", async () => {
    const name = freshName();
    await backend.write(name, undefined, ConnectionOutputs.encode({ keepAliveSeconds: 10 * 86_400 }));
    const store = documentTokenSetStore(backend, name);
    const { serial } = await store.read();
    await store.write(serial, RECORD);
    const outputs = ConnectionOutputs.decode((await backend.read(name))?.values);
    expect(outputs).toMatchObject({
      status: "connected",
      refreshTokenIssuedAt: "2026-03-01T10:00:00Z",
      refreshDueAt: new Date(ISSUED.getTime() + 10 * DAY_MS).toISOString().replace(".000", ""),
      refreshFailAt: new Date(ISSUED.getTime() + 55 * DAY_MS).toISOString().replace(".000", ""),
      refreshTokenExpiresAt: new Date(ISSUED.getTime() + 60 * DAY_MS).toISOString().replace(".000", ""),
      accessTokenExpiresAt: "2026-03-01T10:30:00Z",
      grantedScopes: ["offline_access", "accounting.invoices"],
    });
  });

  it("keeps every other output and envelope key of the document", async () => {
    const name = freshName();
    await backend.write(name, undefined, {
      ...ConnectionOutputs.encode({ tenantIds: ["t-1"], userEmail: "ada@example.com", generation: 4 }),
      secrets: await backend.sealSecrets(name, { other: "kept" }),
    });
    const store = documentTokenSetStore(backend, name);
    const { serial } = await store.read();
    await store.write(serial, RECORD);
    const stored = await backend.read(name);
    expect(ConnectionOutputs.decode(stored?.values)).toMatchObject({ tenantIds: ["t-1"], userEmail: "ada@example.com", generation: 4 });
    expect(await backend.openSecrets(stored!)).toMatchObject({ other: "kept", [ConnectionSecretKeys.refreshToken]: "rt-secret-1" });
  });

  it("clears the write-ahead record and the consent flag when a record without them is written", async () => {
    const name = freshName();
    const store = documentTokenSetStore(backend, name);
    const first = await store.write(undefined, {
      ...RECORD,
      refreshStarted: { fingerprint: "hmac-sha256:a:00", startedAt: ISSUED },
      needsConsent: { reason: "revoked", since: ISSUED },
    });
    expect(ConnectionOutputs.decode((await backend.read(name))?.values).status).toBe("needs_consent");
    await store.write(first, RECORD);
    const { record } = await documentTokenSetStore(backend, name).read();
    expect(record).toEqual(RECORD);
    expect(ConnectionOutputs.decode((await backend.read(name))?.values)).toMatchObject({ status: "connected", refreshStartedFingerprint: "", needsConsentReason: "" });
  });

  it("drops a stored access token when the record has none", async () => {
    const name = freshName();
    const store = documentTokenSetStore(backend, name);
    const serial = await store.write(undefined, RECORD);
    const { accessToken: _dropped, accessTokenExpiresAt: _expiry, ...withoutAccess } = RECORD.tokenSet!;
    await store.write(serial, { tokenSet: withoutAccess });
    const stored = await backend.read(name);
    expect(Object.keys(await backend.openSecrets(stored!))).toEqual([ConnectionSecretKeys.refreshToken]);
    expect((await documentTokenSetStore(backend, name).read()).record.tokenSet?.accessToken).toBeUndefined();
  });

  it("refuses a write at a serial someone else has moved past, writing nothing", async () => {
    const name = freshName();
    const mine = documentTokenSetStore(backend, name);
    const serial = await mine.write(undefined, RECORD);
    const theirs = documentTokenSetStore(backend, name);
    await theirs.write(serial, { ...RECORD, needsConsent: { reason: "theirs", since: ISSUED } });
    await expect(mine.write(serial, RECORD)).rejects.toBeInstanceOf(StateConflictError);
    expect((await theirs.read()).record.needsConsent?.reason).toBe("theirs");
  });

  it("records each write in the history under its own action, with fingerprints and no token", async () => {
    const name = freshName();
    await documentTokenSetStore(backend, name).write(undefined, RECORD);
    const history = await backend.history(name);
    expect(history.map((entry) => entry.action)).toEqual([TOKEN_SET_HISTORY_ACTION]);
    expect(JSON.stringify(history)).not.toContain("rt-secret-1");
  });

  it("fingerprints a refresh token with the state key, the same way every time and never as the token", async () => {
    const store = documentTokenSetStore(backend, freshName());
    const fingerprint = await store.fingerprint("rt-secret-1");
    expect(fingerprint).toMatch(/^hmac-sha256:/);
    expect(fingerprint).not.toContain("rt-secret-1");
    await expect(store.fingerprint("rt-secret-1")).resolves.toBe(fingerprint);
    await expect(store.fingerprint("rt-secret-2")).resolves.not.toBe(fingerprint);
  });

  it("names the document and the backend in its location, for the connect command", () => {
    const store = documentTokenSetStore(backend, "billing/Connection");
    expect(store.location.document).toBe("billing/Connection");
    expect(store.location.backendFlag).toMatch(kind === "local" ? /^--backend local:/ : /^--backend pg:/);
  });
});

describe("the token set store's first read", () => {
  it("answers with the document the caller already read, and reads the backend from then on", async () => {
    const reads: string[] = [];
    const stored = { name: "c/Connection", serial: 7, values: {}, document: {} } as unknown as StoredDocument;
    const backend = {
      address: { type: "local", dir: "/state" },
      read: async (name: string) => {
        reads.push(name);
        return { ...stored, serial: 8 };
      },
      openSecrets: async () => ({}),
    } as unknown as StateBackend;
    const store = documentTokenSetStore(backend, "c/Connection", { alreadyRead: stored });
    expect((await store.read()).serial).toBe(7);
    expect(reads).toEqual([]);
    expect((await store.read()).serial).toBe(8);
    expect(reads).toEqual(["c/Connection"]);
  });
});
