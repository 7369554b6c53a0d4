import { ManualClock } from "../../providers/clock";
import { hashHookSpec } from "../../contract/hook-spec";
import {
  customConnectionApp,
  expectHookOk,
  openWorkspaceBackend,
  REDIRECT_URI,
  registrationSpec,
  runHookIn,
  useHookTestWorld,
} from "./support";

const world = useHookTestWorld();

const SECRET_ENV = "SYNC_CLIENT_SECRET";

async function documentOf(name = "billing/Sync") {
  const backend = await openWorkspaceBackend(world.ws);
  try {
    return await backend.read(name);
  } finally {
    await backend.close();
  }
}

describe("hook apply for a Custom Connection app", () => {
  it("spreads its retries to Xero by the injected random source", async () => {
    const app = await customConnectionApp(world.emulator, { scopes: ["accounting.invoices.read"] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    await world.emulator.admin.injectFault({ path: "/identity/connect/token", status: 503, count: 2 });
    const { sleeps } = await expectHookOk(world.ws, world.emulator, "apply", spec, {
      env: { [SECRET_ENV]: app.clientSecret },
      deps: { random: () => 0 },
    });
    // Equal jitter: half of each step (250 ms, then 500 ms) is fixed, the other half is random() of it.
    expect(sleeps).toEqual([125, 250]);
  });

  it("records client id, kind, app name, granted scopes, JDBC URL, generation, spec hash and verification time", async () => {
    const app = await customConnectionApp(world.emulator, { scopes: ["accounting.invoices.read", "accounting.contacts"] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read", "accounting.contacts"],
    });
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { generation: 3, env: { [SECRET_ENV]: app.clientSecret } });
    expect(result.outcome).toBe("recorded");
    expect((await documentOf())?.values).toEqual({
      generation: 3,
      applied_generation: 3,
      client_id: app.clientId,
      kind: "custom_connection",
      app_name: "Nightly sync",
      granted_scopes: ["accounting.contacts", "accounting.invoices.read"],
      declared_scopes: ["accounting.contacts", "accounting.invoices.read"],
      jdbc_url: `jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=${app.clientId};Scope=accounting.invoices.read accounting.contacts;`,
      client_secret_source: JSON.stringify({ appDocument: "billing/Sync", backend: world.ws.backend, clientSecret: { source: "env", name: SECRET_ENV } }),
      spec_sha256: hashHookSpec(spec),
      verified_at: "2026-05-01T00:00:00.000Z",
    });
  });

  it("says on stdout that the app is live and where the outcome was recorded", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const { stdout, result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { env: { [SECRET_ENV]: app.clientSecret } });
    expect(stdout).toBe(
      `cdktf-xero: billing/Sync: Custom Connection "Nightly sync" (client id ${app.clientId}) is live; granted scopes match the ` +
        `declaration; recorded in ${result.backend} (serial 1).\n`,
    );
  });

  it("fails with HOOK_INVALID_CLIENT naming the app, the client id and the secret's reference, and records nothing", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { [SECRET_ENV]: "wrong-secret-value-123" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect(error?.message).toBe(
      `Xero rejected the credentials of Custom Connection "Nightly sync" (client id ${app.clientId}) with invalid_client. ` +
        `Check at https://developer.xero.com/app/manage that client id ${app.clientId} is the one the portal shows for this app ` +
        `and that the secret in environment variable ${SECRET_ENV} is one of its current secrets (generate another one if it ` +
        `was deleted); nothing was recorded.`,
    );
    expect(await documentOf()).toBeUndefined();
  });

  it("fails with HOOK_SCOPE_MISMATCH listing granted and declared scopes and what to update, and records nothing", async () => {
    const app = await customConnectionApp(world.emulator, { scopes: ["accounting.invoices.read", "accounting.payments.read"] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read", "accounting.contacts"],
    });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { [SECRET_ENV]: app.clientSecret } });
    expect(error?.code).toBe("HOOK_SCOPE_MISMATCH");
    expect(error?.message).toBe(
      `Custom Connection "Nightly sync" (client id ${app.clientId}): Xero granted scopes [accounting.invoices.read accounting.payments.read] ` +
        `but the code declares [accounting.invoices.read accounting.contacts] (declared, not granted: accounting.contacts; ` +
        `granted, not declared: accounting.payments.read). Update the app's scopes in the Xero developer portal ` +
        `(https://developer.xero.com/app/manage; a Custom Connection must then be re-authorised), or change the scopes in the ` +
        `code to match; nothing was recorded.`,
    );
    expect(await documentOf()).toBeUndefined();
  });

  it("accepts the same scopes declared in another order", async () => {
    const app = await customConnectionApp(world.emulator, { scopes: ["accounting.contacts", "accounting.invoices.read"] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read", "accounting.contacts"],
    });
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { env: { [SECRET_ENV]: app.clientSecret } });
    expect(result.outputs["granted_scopes"]).toEqual(["accounting.contacts", "accounting.invoices.read"]);
  });

  it("fails with HOOK_APP_KIND_MISMATCH when the client is a Web app in Xero", async () => {
    const web = await world.emulator.admin.createApp({ kind: "web", name: "Portal", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: web.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { [SECRET_ENV]: web.clientSecret ?? "" } });
    expect(error?.code).toBe("HOOK_APP_KIND_MISMATCH");
    expect(error?.message).toBe(
      `Xero refused the client_credentials grant for Custom Connection "Nightly sync" (client id ${web.clientId}) with ` +
        `unauthorized_client: in Xero it is not a Custom Connection. Declare it with the kind the developer portal shows ` +
        `(XeroAppKind.WEB, XeroAppKind.PKCE or XeroAppKind.CUSTOM_CONNECTION); nothing was recorded.`,
    );
  });
});

describe("hook apply for a Web app", () => {
  async function webApp() {
    const app = await world.emulator.admin.createApp({
      kind: "web",
      name: "Portal",
      scopes: ["openid", "offline_access", "accounting.invoices.read"],
      redirectUris: [REDIRECT_URI, "https://app.example.com/cb"],
    });
    const spec = registrationSpec(world.ws.backend, {
      document: "billing/Portal",
      appKind: "web",
      appName: "Portal",
      clientId: app.clientId,
      clientSecret: { source: "env", name: "PORTAL_SECRET" },
      redirectUris: [REDIRECT_URI, "https://app.example.com/cb"],
      scopes: ["openid", "offline_access", "accounting.invoices.read"],
    });
    return { app, spec };
  }

  it("proves the client with the invalid-code probe and records the declared scopes as declared, none as granted, and an OAuth JDBC URL", async () => {
    const { app, spec } = await webApp();
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "apply", spec, { env: { PORTAL_SECRET: app.clientSecret ?? "" } });
    expect(result.outputs).toMatchObject({
      kind: "web",
      client_id: app.clientId,
      granted_scopes: [],
      declared_scopes: ["accounting.invoices.read", "offline_access", "openid"],
      jdbc_url:
        `jdbc:xero:AuthScheme=OAuth;OAuthClientId=${app.clientId};CallbackURL=${REDIRECT_URI};` +
        `Scope=openid offline_access accounting.invoices.read;InitiateOAuth=GETANDREFRESH;`,
    });
    expect(stdout).toContain(
      `Web app "Portal" (client id ${app.clientId}) is live; Xero's authorize endpoint takes its 2 redirect URIs and declared ` +
        "scopes (asked with no user); scopes recorded as declared, none as granted (only a user's consent grants them); recorded in",
    );
    expect(stdout).not.toContain("recorded as granted");
  });

  it("fails with HOOK_INVALID_CLIENT for a wrong secret and records nothing", async () => {
    const { app, spec } = await webApp();
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { PORTAL_SECRET: "not-the-secret-456" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect(error?.message).toContain(`Web app "Portal" (client id ${app.clientId}) with invalid_client`);
    expect(await documentOf("billing/Portal")).toBeUndefined();
  });
});

describe("hook apply for a PKCE app", () => {
  it("proves the public client without a secret and records a PKCE JDBC URL", async () => {
    const app = await world.emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["openid", "offline_access"], redirectUris: [REDIRECT_URI] });
    const spec = registrationSpec(world.ws.backend, {
      appKind: "pkce",
      appName: "Desktop",
      clientId: app.clientId,
      redirectUris: [REDIRECT_URI],
      scopes: ["openid", "offline_access"],
    });
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec);
    expect(result.outputs["jdbc_url"]).toBe(
      `jdbc:xero:AuthScheme=PKCE;OAuthClientId=${app.clientId};CallbackURL=${REDIRECT_URI};Scope=openid offline_access;InitiateOAuth=GETANDREFRESH;`,
    );
  });

  it("fails with HOOK_INVALID_CLIENT for a client id Xero does not know, saying a PKCE app has no secret", async () => {
    const spec = registrationSpec(world.ws.backend, {
      appKind: "pkce",
      appName: "Desktop",
      clientId: "0123456789ABCDEF0123456789ABCDEF",
      redirectUris: [REDIRECT_URI],
      scopes: ["openid"],
    });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec);
    expect(error?.message).toBe(
      `Xero rejected the credentials of PKCE app "Desktop" (client id 0123456789ABCDEF0123456789ABCDEF) with invalid_client. ` +
        `Check at https://developer.xero.com/app/manage that client id 0123456789ABCDEF0123456789ABCDEF is the one the portal ` +
        `shows for this app (a PKCE app has no secret); nothing was recorded.`,
    );
  });
});

describe("hook apply is idempotent", () => {
  async function appliedOnce() {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const env = { [SECRET_ENV]: app.clientSecret };
    const first = await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
    return { spec, env, first };
  }

  it("writes nothing on a second apply when nothing changed: serial, verification time and history stay", async () => {
    const { spec, env, first } = await appliedOnce();
    const later = new ManualClock(new Date("2026-05-02T00:00:00Z"));
    const second = await expectHookOk(world.ws, world.emulator, "apply", spec, { env, clock: later });
    expect(second.result.outcome).toBe("unchanged");
    expect(second.result.serial).toBe(first.result.serial);
    expect(second.result.outputs["verified_at"]).toBe("2026-05-01T00:00:00.000Z");
    const backend = await openWorkspaceBackend(world.ws);
    expect((await backend.history("billing/Sync")).map((entry) => entry.action)).toEqual(["create"]);
    await backend.close();
  });

  it("records the new generation when the plan ran the hook for a bumped generation", async () => {
    const { spec, env, first } = await appliedOnce();
    const second = await expectHookOk(world.ws, world.emulator, "apply", spec, { env, generation: 1 });
    expect(second.result.outcome).toBe("recorded");
    expect(second.result.serial).toBe((first.result.serial ?? 0) + 1);
    expect(second.result.outputs["generation"]).toBe(1);
  });

  it("keeps a generation bumped beyond the run's, so the next plan runs the hook again", async () => {
    const { spec, env } = await appliedOnce();
    const backend = await openWorkspaceBackend(world.ws);
    await backend.update("billing/Sync", (current) => ({ ...current?.values, generation: 5 }));
    await backend.close();
    const second = await expectHookOk(world.ws, world.emulator, "apply", spec, { env, generation: 4 });
    expect(second.result.outputs["generation"]).toBe(5);
    expect(second.stdout).toContain("cdktf-xero: billing/Sync: generation was bumped to 5 while this ran; the next deploy runs the hook again.");
  });

  it("revives a retired document, clearing retired", async () => {
    const { spec, env } = await appliedOnce();
    const backend = await openWorkspaceBackend(world.ws);
    await backend.retire("billing/Sync");
    await backend.close();
    const second = await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
    expect(second.result.outcome).toBe("recorded");
    expect(second.result.outputs["retired"]).toBeUndefined();
  });
});

describe("hook apply and the spec hash", () => {
  it("warns on stderr when the hash Terraform passed is not the spec's, and records the hash it was given", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const passed = "f".repeat(64);
    const { stderr, result } = await expectHookOk(world.ws, world.emulator, "apply", spec, {
      env: { [SECRET_ENV]: app.clientSecret, CDKTF_XERO_SPEC_SHA256: passed },
    });
    expect(stderr).toBe(
      "cdktf-xero: warning: billing/Sync: CDKTF_XERO_SPEC_SHA256 is not the hash of CDKTF_XERO_SPEC (the stack was " +
        "synthesized by another cdktf-xero version?); recording the hash Terraform passed.\n",
    );
    expect(result.outputs["spec_sha256"]).toBe(passed);
  });
});
