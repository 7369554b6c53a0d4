/**
 * The consented connection's hooks against the emulator over loopback: a person consents through
 * the real consent flow (the emulator's consent page, posted), `storeConsent` stores the token set,
 * and the hooks verify, refresh, retain and revoke it.
 */
import { ManualClock } from "../../providers/clock";
import { ConnectionOutputs, ConnectionSecretKeys, type OAuthConnectionSpec } from "../../contract/connection";
import { CommonOutputs } from "../../contract/document-codec";
import { rotationDocumentFor, RotationSecretKeys } from "../../contract/rotation";
import { canonicalJson } from "../../contract/hook-spec";
import type { OutputValues, StateBackend } from "../../providers/state";
import { tokenSetRecordOf } from "../../providers/lifecycle/connection/token-set-store";
import type { ConsentResult } from "../../providers/xero/consent-flow";
import { consentAndStore, disconnectInEmulator, freeLoopbackRedirectUri, signInToEmulator } from "../support/consent";
import { expectHookOk, openWorkspaceBackend, runHookIn, useHookTestWorld, type RunOptions } from "./support";

const DAY_MS = 86_400_000;
const KEEP_ALIVE_SECONDS = 30 * 86_400;
const APP_SCOPES = ["openid", "offline_access", "accounting.invoices", "accounting.settings.read"];
const SCOPES = ["offline_access", "accounting.invoices"];
const DOCUMENT = "billing/Books";

const world = useHookTestWorld();

interface ConsentedWorld {
  readonly spec: OAuthConnectionSpec;
  readonly clientSecret: string | undefined;
  readonly tenants: { readonly nz: string; readonly practice: string };
  readonly env: Record<string, string>;
}

/** A Web (or PKCE) app in the emulator with two organisations ticked by a signed-in user, and its connection's spec. */
async function declare(options: { kind?: "web" | "pkce"; tenants?: string[]; onDestroy?: "retain" | "revoke" } = {}): Promise<ConsentedWorld> {
  const kind = options.kind ?? "web";
  await world.emulator.admin.clearRequests();
  const redirectUri = await freeLoopbackRedirectUri();
  const app = await world.emulator.admin.createApp({ kind, name: "Books sync", scopes: APP_SCOPES, redirectUris: [redirectUri] });
  const nz = (await world.emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
  const practice = (await world.emulator.admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" })).tenantId;
  await signInToEmulator(world.emulator, `ada.lovelace.${app.clientId.slice(0, 6)}@example.com`, [nz, practice]);
  const backend = world.ws.backend;
  const spec: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: DOCUMENT,
    backend,
    app: {
      document: "billing/Portal",
      backend,
      appName: "Books sync",
      appKind: kind,
      clientId: app.clientId,
      ...(kind === "web" ? { clientSecret: { source: "env" as const, name: "PORTAL_CLIENT_SECRET" } } : {}),
      redirectUris: [redirectUri],
      scopes: APP_SCOPES,
    },
    tenants: options.tenants ?? ["Demo Company (NZ)", practice],
    scopes: SCOPES,
    keepAliveSeconds: KEEP_ALIVE_SECONDS,
    onDestroy: options.onDestroy ?? "retain",
  };
  return { spec, clientSecret: app.clientSecret, tenants: { nz, practice }, env: app.clientSecret === undefined ? {} : { PORTAL_CLIENT_SECRET: app.clientSecret } };
}

async function withBackend<T>(use: (backend: StateBackend) => Promise<T>): Promise<T> {
  const backend = await openWorkspaceBackend(world.ws);
  try {
    return await use(backend);
  } finally {
    await backend.close();
  }
}

/** `hook init`, then a consent stored at `now`: the document at generation 1. */
async function initAndConsent(declared: ConsentedWorld, now: Date): Promise<ConsentResult> {
  await expectHookOk(world.ws, world.emulator, "init", declared.spec, { env: declared.env });
  return withBackend((backend) => consentAndStore(world.emulator, backend, declared.spec, { now, ...(declared.clientSecret === undefined ? {} : { clientSecret: declared.clientSecret }) }));
}

async function stored(): Promise<{ values: OutputValues; secrets: Record<string, string> }> {
  return withBackend(async (backend) => {
    const document = await backend.read(DOCUMENT);
    if (document === undefined) throw new Error(`no document ${DOCUMENT}`);
    return { values: { ...document.values }, secrets: { ...(await backend.openSecrets(document)) } };
  });
}

async function requestsTo(path: string): Promise<Array<{ body: unknown }>> {
  return (await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith(path));
}

function at(now: Date, declared: ConsentedWorld, extra: Partial<RunOptions> = {}): RunOptions {
  return { generation: 1, clock: new ManualClock(now), env: declared.env, ...extra };
}

describe("an oauth_connection's apply", () => {
  it("records the declaration and fails with the exact connect command while nobody has consented", async () => {
    const declared = await declare();
    await expectHookOk(world.ws, world.emulator, "init", declared.spec, { env: declared.env });
    const outcome = await runHookIn(world.ws, world.emulator, "apply", declared.spec, { env: declared.env });
    expect(outcome.error?.code).toBe("CONNECTION_NOT_CONSENTED");
    expect(outcome.error?.message).toContain(`Run \`cdktf-xero connect ${DOCUMENT} --backend local:state\` and consent in the browser`);
    const { values } = await stored();
    expect(ConnectionOutputs.decode(values)).toMatchObject({
      declaration: canonicalJson(declared.spec),
      keepAliveSeconds: KEEP_ALIVE_SECONDS,
      clientId: declared.spec.app.clientId,
      appName: "Books sync",
    });
    expect(values[ConnectionOutputs.names.status]).toBeUndefined(); // the status read's default: awaiting_consent
    expect(values[CommonOutputs.names.specSha256]).toBeUndefined(); // no completed apply
  });

  it("verifies a consent covering the declared organisations and records them, the scopes and the next refresh due", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, now);
    const before = await stored();
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    expect(result.outcome).toBe("recorded");
    const after = await stored();
    const outputs = ConnectionOutputs.decode(after.values);
    const due = new Date(now.getTime() + 30 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(outputs).toMatchObject({
      status: "connected",
      tenantIds: consent.tenants.map((tenant) => tenant.tenantId),
      tenantNames: consent.tenants.map((tenant) => tenant.tenantName),
      grantedScopes: consent.tokens.scopes,
      userEmail: expect.stringMatching(/^ada\.lovelace\..*@example\.com$/),
      declaration: canonicalJson(declared.spec),
      refreshDueAt: due,
      dueAt: due,
    });
    expect([...(outputs.tenantNames ?? [])].sort()).toEqual(["Demo Company (NZ)", "Practice Ltd"]);
    // The record kept the token set the consent stored (the cached access token was good: no refresh).
    expect(after.secrets).toEqual(before.secrets);
    expect(await requestsTo("/identity/connect/token")).toHaveLength(1); // the consent's code exchange only
  });

  it("fails listing declared and live organisations when one was disconnected in Xero, leaving the token set stored", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, now);
    const practice = consent.tenants.find((tenant) => tenant.tenantName === "Practice Ltd");
    await disconnectInEmulator(world.emulator, consent.tokens.accessToken, practice!.id);
    const before = await stored();
    const outcome = await runHookIn(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    expect(outcome.error?.code).toBe("CONNECTION_CONSENT_MISMATCH");
    expect(outcome.error?.message).toContain(`declared organisations "${declared.tenants.practice}" are not connected`);
    expect(outcome.error?.message).toContain(`Declared tenants: "Demo Company (NZ)", "${declared.tenants.practice}"; live tenants: "Demo Company (NZ)" (tenant id ${declared.tenants.nz}).`);
    expect(outcome.error?.message).toContain(`Run \`cdktf-xero connect ${DOCUMENT} --backend local:state\` again and tick every declared organisation`);
    expect(outcome.error?.message).toContain("the token set stays stored for another try");
    const after = await stored();
    expect(after.secrets[ConnectionSecretKeys.refreshToken]).toBe(consent.tokens.refreshToken);
    expect(after.values[ConnectionOutputs.names.status]).toBe("connected");
    expect(after.values[CommonOutputs.names.specSha256]).toBe(before.values[CommonOutputs.names.specSha256]);
  });

  it("fails naming a declared scope Xero did not grant", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    const wider = { ...declared, spec: { ...declared.spec, scopes: [...SCOPES, "accounting.settings.read"] } };
    const outcome = await runHookIn(world.ws, world.emulator, "apply", wider.spec, at(now, wider));
    expect(outcome.error?.code).toBe("CONNECTION_CONSENT_MISMATCH");
    expect(outcome.error?.message).toContain('declared scopes "accounting.settings.read" were not granted');
  });

  it("refreshes a token set older than keepAlive through the locked path, with a write-ahead record, and moves the due time", async () => {
    const declared = await declare();
    const consentedAt = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, consentedAt);
    await world.emulator.admin.clearRequests();
    const later = new Date(consentedAt.getTime() + 31 * DAY_MS);
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(later, declared));
    expect(stdout).toContain("refreshed the token set (older than keepAlive)");
    const refreshes = (await requestsTo("/identity/connect/token")).filter((entry) => (entry.body as Record<string, string>)["grant_type"] === "refresh_token");
    expect(refreshes).toHaveLength(1);
    const after = await stored();
    expect(after.secrets[ConnectionSecretKeys.refreshToken]).not.toBe(consent.tokens.refreshToken);
    const due = new Date(later.getTime() + 30 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(ConnectionOutputs.decode(after.values)).toMatchObject({ refreshDueAt: due, dueAt: due, refreshStartedFingerprint: "" });
    const actions = await withBackend(async (backend) => (await backend.history(DOCUMENT)).map((entry) => entry.action));
    // consent, then the write-ahead record and the refreshed set (the protocol's two writes), then the apply's record.
    expect(actions.slice(-4)).toEqual(["consent", "token_set", "token_set", "write"]);
  });

  it("fails with the connect command once the record says a new consent is needed", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    await withBackend((backend) =>
      backend.update(DOCUMENT, (current) => ({ ...current!.values, ...ConnectionOutputs.encode({ needsConsentReason: "Xero refused it", needsConsentSince: "2026-01-01T00:00:00Z" }) })),
    );
    const outcome = await runHookIn(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    expect(outcome.error?.code).toBe("CONNECTION_NEEDS_CONSENT");
    expect(outcome.error?.message).toContain(`needs a new consent: Xero refused it. Run \`cdktf-xero connect ${DOCUMENT} --backend local:state\``);
  });

  it("refreshes a Web app's token set with its rotation's CURRENT secret once one is recorded", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    await withBackend(async (backend) => {
      const rotation = rotationDocumentFor(declared.spec.app.document);
      await backend.update(rotation, async () => ({
        [CommonOutputs.names.generation]: 1,
        [CommonOutputs.names.clientId]: declared.spec.app.clientId,
        [CommonOutputs.names.secrets]: await backend.sealSecrets(rotation, { [RotationSecretKeys.current]: declared.clientSecret! }),
      }));
    });
    // The declared variable holds a stale secret now: only CURRENT authenticates the refresh.
    const stale = { ...declared, env: { PORTAL_CLIENT_SECRET: "a-secret-deleted-in-the-portal" } };
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", stale.spec, at(new Date(now.getTime() + 31 * DAY_MS), stale));
    expect(stdout).toContain("refreshed the token set (older than keepAlive)");
  });

  it("refuses to spend a token set consented to another app, every time, until the declared app is connected", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    const other = await world.emulator.admin.createApp({ kind: "web", name: "Other portal", scopes: APP_SCOPES, redirectUris: declared.spec.app.redirectUris as string[] });
    const moved = { ...declared, env: { PORTAL_CLIENT_SECRET: other.clientSecret! }, spec: { ...declared.spec, app: { ...declared.spec.app, clientId: other.clientId } } };
    await world.emulator.admin.clearRequests();
    for (const _run of [1, 2]) {
      const outcome = await runHookIn(world.ws, world.emulator, "apply", moved.spec, at(new Date(now.getTime() + 31 * DAY_MS), moved));
      expect(outcome.error?.code).toBe("CONNECTION_APP_CHANGED");
      expect(outcome.error?.message).toContain(`was consented to client id ${declared.spec.app.clientId}, but the declaration now names Web app "Books sync" (client id ${other.clientId})`);
    }
    expect(await requestsTo("/identity/connect/token")).toHaveLength(0);
    const after = await stored();
    expect(after.values[CommonOutputs.names.clientId]).toBe(declared.spec.app.clientId);
    expect(after.values[ConnectionOutputs.names.declaration]).toBe(canonicalJson(moved.spec));
  });

  it("verifies a PKCE app's consent, refreshing without a client secret", async () => {
    const declared = await declare({ kind: "pkce", tenants: [] });
    const consentedAt = await world.emulator.admin.now();
    await initAndConsent(declared, consentedAt);
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(new Date(consentedAt.getTime() + 31 * DAY_MS), declared));
    expect(result.outputs[ConnectionOutputs.names.tenantIds]).toEqual(expect.arrayContaining([declared.tenants.nz, declared.tenants.practice]));
    const refresh = (await requestsTo("/identity/connect/token")).find((entry) => (entry.body as Record<string, string>)["grant_type"] === "refresh_token");
    expect((refresh?.body as Record<string, string>)["client_id"]).toBe(declared.spec.app.clientId);
  });

  it("puts no token in its output or result", async () => {
    const declared = await declare();
    const now = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, now);
    const outcome = await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(new Date(now.getTime() + 31 * DAY_MS), declared));
    const after = await stored();
    const printed = `${outcome.stdout}\n${outcome.stderr}\n${JSON.stringify(outcome.result)}`;
    for (const token of [consent.tokens.refreshToken!, consent.tokens.accessToken, after.secrets[ConnectionSecretKeys.refreshToken]!, after.secrets[ConnectionSecretKeys.accessToken]!]) {
      expect(printed).not.toContain(token);
    }
  });
});

describe("an oauth_connection's init", () => {
  it("fails naming the Web app's secret variable when it is not set", async () => {
    const declared = await declare();
    const outcome = await runHookIn(world.ws, world.emulator, "init", declared.spec, {});
    expect(outcome.error?.code).toBe("HOOK_NOT_READY");
    expect(outcome.error?.message).toContain("environment variable PORTAL_CLIENT_SECRET");
  });
});

describe("an oauth_connection's destroy", () => {
  it("retains: retires the document with the token set still in it and revokes nothing", async () => {
    const declared = await declare({ onDestroy: "retain" });
    const now = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, now);
    await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", declared.spec, at(now, declared));
    expect(result.outcome).toBe("retired");
    expect(stdout).toContain("the token set stays sealed in the document (onDestroy: retain)");
    expect(stdout).toContain("stay in Xero");
    const after = await stored();
    expect(after.values[CommonOutputs.names.retired]).toBe(true);
    expect(after.secrets[ConnectionSecretKeys.refreshToken]).toBe(consent.tokens.refreshToken);
    expect(await requestsTo("/identity/connect/revocation")).toHaveLength(0);
    expect((await world.emulator.admin.getApp(declared.spec.app.clientId)).connections).toHaveLength(2);
  });

  it("revokes: posts the refresh token to Xero's revocation endpoint, drops the token set and retires the document", async () => {
    const declared = await declare({ onDestroy: "revoke" });
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    await world.emulator.admin.clearRequests();
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", declared.spec, at(now, declared));
    expect(result.outcome).toBe("retired");
    expect(stdout).toContain("revoked the token set");
    expect(await requestsTo("/identity/connect/revocation")).toHaveLength(1);
    expect((await world.emulator.admin.getApp(declared.spec.app.clientId)).connections).toEqual([]);
    const after = await stored();
    expect(after.values[CommonOutputs.names.secrets]).toBeUndefined();
    expect(after.values[CommonOutputs.names.retired]).toBe(true);
    expect(tokenSetRecordOf(after.values, after.secrets)).toEqual({ needsConsent: { reason: expect.stringContaining("revoked"), since: expect.any(Date) } });
  });

  it("revokes a PKCE app's consent, which has no client secret", async () => {
    const declared = await declare({ kind: "pkce", tenants: [], onDestroy: "revoke" });
    const now = await world.emulator.admin.now();
    await initAndConsent(declared, now);
    await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    await world.emulator.admin.clearRequests();
    await expectHookOk(world.ws, world.emulator, "destroy", declared.spec, at(now, declared));
    const [revocation] = await requestsTo("/identity/connect/revocation");
    expect((revocation?.body as Record<string, string>)["client_id"]).toBe(declared.spec.app.clientId);
    expect((await world.emulator.admin.getApp(declared.spec.app.clientId)).connections).toEqual([]);
  });

  it("revokes a token set Xero already refuses without failing", async () => {
    const declared = await declare({ onDestroy: "revoke" });
    const now = await world.emulator.admin.now();
    const consent = await initAndConsent(declared, now);
    await expectHookOk(world.ws, world.emulator, "apply", declared.spec, at(now, declared));
    // The user revoked the consent in Xero already.
    await fetch(`${world.emulator.identityUrl}/connect/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${declared.spec.app.clientId}:${declared.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ token: consent.tokens.refreshToken! }).toString(),
    });
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", declared.spec, at(now, declared));
    expect(result.outcome).toBe("retired");
    expect((await stored()).values[CommonOutputs.names.secrets]).toBeUndefined();
  });
});
