import { startEmulator, type RunningEmulator } from "../../emulator";
import { openStateBackend } from "../../providers/state";
import { expectHookOk, REDIRECT_URI, registrationSpec, runHookIn, workspace, type Workspace } from "./support";

/**
 * `hook apply` of Web and PKCE registrations proves each declared redirect URI and the declared
 * scopes with authorize requests that need no user. How Xero shows a refusal (its error page at the
 * authorize URL, or a redirect to it) is OPEN, so every behaviour is checked against both.
 */
describe.each(["page", "redirect"] as const)("the authorize proof of a Web or PKCE app (emulator authorizeErrorResponse %s)", (authorizeErrorResponse) => {
  let emulator: RunningEmulator;
  let ws: Workspace;

  beforeAll(async () => {
    emulator = await startEmulator({ authorizeErrorResponse });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(async () => {
    await ws?.cleanup();
  });

  async function webApp(declared: { redirectUris?: string[]; scopes?: string[] } = {}) {
    const app = await emulator.admin.createApp({
      kind: "web",
      name: "Portal",
      scopes: ["accounting.invoices.read"],
      redirectUris: [REDIRECT_URI, "https://app.example.com/cb"],
    });
    const spec = registrationSpec(ws.backend, {
      document: "billing/Portal",
      appKind: "web",
      appName: "Portal",
      clientId: app.clientId,
      clientSecret: { source: "env", name: "PORTAL_SECRET" },
      redirectUris: declared.redirectUris ?? [REDIRECT_URI, "https://app.example.com/cb"],
      scopes: declared.scopes ?? ["openid", "offline_access", "accounting.invoices.read"],
    });
    return { app, spec, env: { PORTAL_SECRET: app.clientSecret ?? "" } };
  }

  async function documentExists(name: string): Promise<boolean> {
    const backend = await openStateBackend(ws.backend, { cwd: ws.dir, env: {}, logger: { warn: () => undefined } });
    try {
      return (await backend.read(name)) !== undefined;
    } finally {
      await backend.close();
    }
  }

  async function authorizeRequests(): Promise<number> {
    return (await emulator.admin.requests()).filter((entry) => entry.path.endsWith("/identity/connect/authorize")).length;
  }

  it("deploys a Web app whose declared redirect URIs and scopes the portal has, asking one authorize request per URI plus one control", async () => {
    const { spec, env } = await webApp();
    const before = await authorizeRequests();
    const { result } = await expectHookOk(ws, emulator, "apply", spec, { env });
    expect(result.outputs).toMatchObject({ granted_scopes: [], declared_scopes: ["accounting.invoices.read", "offline_access", "openid"] });
    expect((await authorizeRequests()) - before).toBe(3);
  });

  it("fails with HOOK_REDIRECT_URI_NOT_REGISTERED naming a redirect URI the portal has only without its trailing slash, and records nothing", async () => {
    const { app, spec, env } = await webApp({ redirectUris: [REDIRECT_URI, "https://app.example.com/cb/"] });
    const { error } = await runHookIn(ws, emulator, "apply", spec, { env });
    expect(error?.code).toBe("HOOK_REDIRECT_URI_NOT_REGISTERED");
    const answer = authorizeErrorResponse === "page" ? "its error page (HTTP 400), invalid_request" : `a redirect to its error page (${emulator.loginUrl}/identity/error)`;
    expect(error?.message).toBe(
      `Xero's authorize endpoint refused Web app "Portal" (client id ${app.clientId}) with redirect URI "https://app.example.com/cb/" ` +
        `(${answer}), even with only the openid scope: the app in the developer portal does not have it (Xero matches redirect URIs ` +
        "exactly: scheme, case, path and trailing slash). Add it to the app's redirect URIs at https://developer.xero.com/app/manage, " +
        "or fix redirectUris in the code to the URIs the portal shows; nothing was recorded.",
    );
    expect(await documentExists("billing/Portal")).toBe(false);
  });

  it("fails with HOOK_SCOPE_NOT_ALLOWED naming only the scope the app may not request, and records nothing", async () => {
    const { app, spec, env } = await webApp({ scopes: ["openid", "accounting.invoices.read", "payroll.employees"] });
    const { error } = await runHookIn(ws, emulator, "apply", spec, { env });
    expect(error?.code).toBe("HOOK_SCOPE_NOT_ALLOWED");
    const answer = authorizeErrorResponse === "page" ? "its error page (HTTP 400), invalid_scope" : `a redirect to its error page (${emulator.loginUrl}/identity/error)`;
    expect(error?.message).toBe(
      `Xero's authorize endpoint refused Web app "Portal" (client id ${app.clientId}) the scope payroll.employees (${answer}; each asked ` +
        `alone with redirect URI "${REDIRECT_URI}"): the app may not request it (a scope Xero does not know, a broad accounting scope on ` +
        "an app created on or after 2 March 2026, or one not enabled for the app). Fix scopes in the code, or enable it for the app at " +
        "https://developer.xero.com/app/manage; nothing was recorded.",
    );
    expect(await documentExists("billing/Portal")).toBe(false);
  });

  it("fails a PKCE app whose declared redirect URI differs in case from the portal's with HOOK_REDIRECT_URI_NOT_REGISTERED", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["openid", "offline_access"], redirectUris: [REDIRECT_URI] });
    const wrong = REDIRECT_URI.replace("callback", "Callback");
    const spec = registrationSpec(ws.backend, { appKind: "pkce", appName: "Desktop", clientId: app.clientId, redirectUris: [wrong], scopes: ["openid", "offline_access"] });
    const { error } = await runHookIn(ws, emulator, "apply", spec);
    expect(error?.code).toBe("HOOK_REDIRECT_URI_NOT_REGISTERED");
    expect(error?.message).toContain(`PKCE app "Desktop" (client id ${app.clientId}) with redirect URI "${wrong}"`);
  });

  it("deploys a PKCE app whose redirect URI and scopes the portal has, recording its scopes as declared", async () => {
    const app = await emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["openid", "offline_access"], redirectUris: [REDIRECT_URI] });
    const spec = registrationSpec(ws.backend, { appKind: "pkce", appName: "Desktop", clientId: app.clientId, redirectUris: [REDIRECT_URI], scopes: ["openid", "offline_access"] });
    const { result, stdout } = await expectHookOk(ws, emulator, "apply", spec);
    expect(result.outputs).toMatchObject({ granted_scopes: [], declared_scopes: ["offline_access", "openid"] });
    expect(stdout).toContain("Xero's authorize endpoint takes its redirect URI and declared scopes (asked with no user); scopes recorded as declared");
  });
});
