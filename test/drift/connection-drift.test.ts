import type { OAuthConnectionSpec } from "../../contract/connection";
import { formatBackendAddress } from "../../contract/state-address";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { runDrift, type DriftReport, type ResourceReport } from "../../providers/drift";
import { storeConsent } from "../../providers/lifecycle/connection/consent-record";
import { ConnectionOutputs } from "../../contract/connection";
import { runConsentFlow } from "../../providers/xero/consent-flow";
import type { StateBackend } from "../../providers/state";
import { runCompiledCli } from "../cli/run-cli";
import { fixtureFor, type BackendFixture } from "../state/support/fixtures";
import { formBrowser } from "../xero/consent-browser";
import { emulatorEnv } from "../xero/emulator-fixture";
import { freeLoopbackPort } from "../../scripts/free-loopback-port";

/**
 * The consented connection's drift check against the emulator, on both backends: a consent driven
 * through the emulator's consent page and stored with storeConsent, then `drift --backend` (in
 * process with an injected clock, and the compiled CLI for --no-refresh), with the user's
 * revocation, an organisation's disconnect and the clock moved through the emulator's admin API.
 */

const SCOPES = ["offline_access", "accounting.invoices"];
const HOUR_S = 3_600;
const DAY_S = 86_400;

let emulator: RunningEmulator;
let userId: string;
let tenants: Array<{ tenantId: string; name: string }>;

beforeAll(async () => {
  emulator = await startEmulator();
  userId = (await emulator.admin.createUser({ email: "ada.lovelace@example.com" })).userId;
  tenants = [];
  for (const name of ["Demo Company (NZ)", "Practice Ltd"]) tenants.push({ tenantId: (await emulator.admin.createOrg({ name })).tenantId, name });
  await emulator.admin.consent({ userId, tenantIds: tenants.map((t) => t.tenantId) });
});

afterAll(async () => {
  await emulator.close();
});


/** The emulator's time as this process sees it, moved with the emulator's: drift's clock and the consent's. */
class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  async advance(seconds: number): Promise<void> {
    await emulator.admin.advanceClock(seconds);
    this.offsetMs += seconds * 1000;
  }
}
const clock = new TestClock();

interface Connected {
  spec: OAuthConnectionSpec;
  clientId: string;
  env: Record<string, string>;
}

describe.each(["local", "pg"] as const)("the connection's drift check on the %s backend", (kind) => {
  let fixture: BackendFixture;
  let backend: StateBackend;

  beforeEach(async () => {
    fixture = await fixtureFor(kind, "connection_drift");
    backend = await fixture.open({ clock });
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  /** A Web app, a consent through the emulator's consent page, and the token set stored as `connect` stores it. */
  async function connect(): Promise<Connected> {
    const redirectUris = [`http://localhost:${await freeLoopbackPort()}/callback`];
    const app = await emulator.admin.createApp({ kind: "web", name: "Ledger", scopes: SCOPES, redirectUris });
    const clientSecret = app.clientSecret ?? "";
    const consent = await runConsentFlow({
      app: { clientId: app.clientId, clientSecret, redirectUris },
      scopes: SCOPES,
      openBrowser: formBrowser().open,
      output: () => undefined,
      client: { env: emulatorEnv(emulator), clock },
    });
    const spec: OAuthConnectionSpec = {
      version: 1,
      kind: "oauth_connection",
      document: "ledger/Connection",
      backend: fixture.address,
      app: { document: "ledger/Web", backend: fixture.address, appName: "Ledger", appKind: "web", clientId: app.clientId, clientSecret: { source: "env", name: "LEDGER_SECRET" }, redirectUris, scopes: SCOPES },
      tenants: tenants.map((t) => t.name),
      scopes: SCOPES,
      keepAliveSeconds: 30 * DAY_S,
      onDestroy: "retain",
    };
    await storeConsent(backend, spec, consent, clock.now());
    await emulator.admin.clearRequests();
    return { spec, clientId: app.clientId, env: { ...fixture.env, ...emulatorEnv(emulator), LEDGER_SECRET: clientSecret } };
  }

  async function drift(connected: Connected, options: { noRefresh?: boolean } = {}): Promise<{ report: DriftReport; resource: ResourceReport }> {
    const report = await runDrift(
      { scope: { from: "backend", backend: fixture.address }, concurrency: 4, ...(options.noRefresh === undefined ? {} : { noRefresh: options.noRefresh }) },
      { env: connected.env, cwd: fixture.cwd, clock },
    );
    const resource = report.resources.find((r) => r.resource === connected.spec.document);
    if (resource === undefined) throw new Error(`drift did not check ${connected.spec.document}: ${JSON.stringify(report)}`);
    return { report, resource };
  }

  async function tokenRequests(): Promise<string[]> {
    return (await emulator.admin.requests()).filter((entry) => entry.path.endsWith("/identity/connect/token")).map((entry) => String((entry.body as Record<string, unknown>)["grant_type"]));
  }

  it("finds a fresh consent in sync (exit 0) with the cached access token and no token request", async () => {
    const connected = await connect();
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, resource.findings, resource.notes, resource.error]).toEqual([0, [], [], undefined]);
    expect(await tokenRequests()).toEqual([]);
    expect((await emulator.admin.requests()).map((entry) => `${entry.method} ${entry.path}`)).toEqual(["GET /api/connections"]);
  });

  it("refreshes an expired access token once, through the locked path, and stores the new token set", async () => {
    const connected = await connect();
    const before = await backend.read(connected.spec.document);
    await clock.advance(HOUR_S);
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, resource.findings.map((f) => f.code)]).toEqual([0, []]);
    expect(resource.notes).toEqual([expect.stringContaining("drift refreshed the token set through the token vending protocol")]);
    expect(await tokenRequests()).toEqual(["refresh_token"]);
    const after = await backend.read(connected.spec.document);
    const history = (await backend.history(connected.spec.document)).map((entry) => entry.action);
    // The write-ahead record, then the answer: the protocol's two writes, nothing else.
    expect([after!.serial - before!.serial, history.slice(-2)]).toEqual([2, ["token_set", "token_set"]]);
    expect(ConnectionOutputs.decode(after!.values).refreshStartedFingerprint).toBe("");
  });

  it("reports the live checks as not checked with --no-refresh and an expired access token, sending nothing", async () => {
    const connected = await connect();
    await clock.advance(HOUR_S);
    const serial = (await backend.read(connected.spec.document))!.serial;
    const { report, resource } = await drift(connected, { noRefresh: true });
    expect([report.summary.exitCode, resource.findings, resource.notes]).toEqual([
      0, [], [expect.stringMatching(/^organisations and scopes not checked live \(--no-refresh\): the cached access token expires at .*, and only a refresh would give drift a token$/)],
    ]);
    expect(await emulator.admin.requests()).toEqual([]);
    expect((await backend.read(connected.spec.document))!.serial).toBe(serial);
  });

  it("finds the connection gone when the user revoked the app in Xero (GET /connections lists nothing)", async () => {
    const connected = await connect();
    await emulator.admin.revokeUserGrant(userId, connected.clientId);
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, resource.findings.map((f) => [f.code, f.live])]).toEqual([
      2, [["connection.gone", "GET /connections lists no organisation: the user revoked the app's access, or every organisation disconnected it"]],
    ]);
  });

  it("finds the connection gone when Xero refuses the refresh after the user revoked the app, and records needs_consent", async () => {
    const connected = await connect();
    await emulator.admin.revokeUserGrant(userId, connected.clientId);
    await clock.advance(HOUR_S);
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, resource.findings.map((f) => f.code)]).toEqual([2, ["connection.gone"]]);
    expect(resource.findings[0]?.live).toContain("invalid_grant");
    expect(await tokenRequests()).toEqual(["refresh_token"]);
    expect(ConnectionOutputs.decode((await backend.read(connected.spec.document))!.values).status).toBe("needs_consent");
    // The next run reads the record and asks Xero nothing.
    await emulator.admin.clearRequests();
    expect((await drift(connected)).resource.findings.map((f) => f.code)).toEqual(["connection.needs_consent"]);
    expect(await emulator.admin.requests()).toEqual([]);
  });

  it("finds the connection gone when an organisation disconnected the app, naming it", async () => {
    const connected = await connect();
    const [first] = tenants;
    await emulator.admin.disconnectOrganisation(first!.tenantId, connected.clientId);
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, resource.findings.map((f) => f.code)]).toEqual([2, ["connection.gone"]]);
    expect(resource.findings[0]?.live).toContain(`GET /connections no longer lists "${first!.name}" (tenant id ${first!.tenantId})`);
  });

  it("warns once the refresh token is past keepAlive, exiting 0, and refreshes no more than the locked path's one", async () => {
    const connected = await connect();
    await clock.advance(31 * DAY_S);
    const { report, resource } = await drift(connected);
    expect([report.summary.exitCode, report.summary.warnings, resource.findings.map((f) => [f.code, f.severity])]).toEqual([0, 1, [["connection.refresh_due", "warning"]]]);
    expect(await tokenRequests()).toEqual(["refresh_token"]);
  });

  it("finds the refresh token expiring within 5 days of Xero's 60 (exit 2)", async () => {
    const connected = await connect();
    await clock.advance(56 * DAY_S);
    const { report, resource } = await drift(connected, { noRefresh: true });
    expect([report.summary.exitCode, resource.findings.map((f) => f.code)]).toEqual([2, ["connection.refresh_token_expiring"]]);
    expect(await emulator.admin.requests()).toEqual([]);
  });

  it("reports the live checks as not checked from the compiled CLI's --no-refresh, the emulator seeing no request", async () => {
    const connected = await connect();
    const asOf = new Date(clock.now().getTime() + 2 * HOUR_S * 1000).toISOString();
    const run = await runCompiledCli(["drift", "--backend", formatBackendAddress(fixture.address), "--no-refresh", "--as-of", asOf, "--json"], { cwd: fixture.cwd, env: connected.env });
    const parsed = JSON.parse(run.stdout) as { resources: Array<{ resource: string; notes: string[]; findings: unknown[] }>; summary: { exitCode: number } };
    expect([run.code, parsed.summary.exitCode, parsed.resources.map((r) => [r.resource, r.findings, r.notes.map((note) => note.slice(0, 56))])]).toEqual([
      0, 0, [["ledger/Connection", [], ["organisations and scopes not checked live (--no-refresh)"]]],
    ]);
    expect(await emulator.admin.requests()).toEqual([]);
  });
});
