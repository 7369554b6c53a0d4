import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { OAuthConnectionSpec } from "../../contract/connection";
import type { StateBackendAddress } from "../../contract/state-address";
import { ManualClock } from "../../providers/clock";
import { storeConsent } from "../../providers/lifecycle/connection/consent-record";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { runConsentFlow } from "../../providers/xero/consent-flow";
import { TEST_STATE_KEY } from "../lifecycle/support";
import { requirePostgres } from "../support/postgres";
import { formBrowser } from "../xero/consent-browser";
import { emulatorEnv } from "../xero/emulator-fixture";
import { freeLoopbackPort } from "../../scripts/free-loopback-port";

/**
 * Shared setup of the token suites (test/tokens/, test/cli/ for `token`, `connect`, `refresh`): an
 * emulator with a signed-in user who consents to two organisations, and a project directory per
 * test whose state lives in a local backend or a PostgreSQL schema of its own.
 */

export const MINUTE_MS = 60_000;
export const DAY_S = 86_400;
export const CONNECTION_DOCUMENT = "crm/CrmConnection";
export const APP_DOCUMENT = "crm/CrmApp";
export const APP_SCOPES = ["offline_access", "accounting.invoices", "accounting.settings.read"];
export const CONNECTION_SCOPES = ["offline_access", "accounting.invoices"];
export const ORGANISATIONS = ["Demo Company (NZ)", "Practice Ltd"] as const;
/** The variable the Web app's declared secret comes from. */
export const APP_SECRET_ENV = "CRM_CLIENT_SECRET";

export type BackendType = "local" | "pg";
export const BACKEND_TYPES: readonly BackendType[] = ["local", "pg"];

export interface TokenWorld {
  readonly emulator: RunningEmulator;
  readonly userId: string;
  /** The two organisations the user consents to, in {@link ORGANISATIONS} order. */
  readonly tenantIds: string[];
}

/** One emulator for the file: a user signed in, who ticks both organisations on every consent page. */
export function useTokenWorld(): TokenWorld {
  const world = {} as { emulator: RunningEmulator; userId: string; tenantIds: string[] };
  beforeAll(async () => {
    world.emulator = await startEmulator();
    const { userId } = await world.emulator.admin.createUser({ email: "ada.lovelace@example.com" });
    const tenantIds: string[] = [];
    for (const name of ORGANISATIONS) tenantIds.push((await world.emulator.admin.createOrg({ name })).tenantId);
    await world.emulator.admin.consent({ userId, tenantIds });
    world.userId = userId;
    world.tenantIds = tenantIds;
  });
  afterAll(async () => {
    await world.emulator?.close();
  });
  return world;
}

/** A project directory (where cdktf.json would be) and its state backend. */
export interface Project {
  readonly dir: string;
  readonly type: BackendType;
  /** The backend as a consumer in `dir` names it (`--backend local:state` or `pg:<schema>`). */
  readonly backend: StateBackendAddress;
  readonly backendFlag: string;
  /** The same backend as the hooks of stack `crm` address it (from `cdktf.out/stacks/crm`). */
  readonly stackBackend: StateBackendAddress;
  /** The state key, and PG_CONN_STR for pg. */
  readonly env: Record<string, string>;
  open(): Promise<StateBackend>;
  cleanup(): Promise<void>;
}

export async function project(type: BackendType): Promise<Project> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-tokens-"));
  const schema = `tokens_${randomBytes(4).toString("hex")}`;
  const connectionString = type === "pg" ? requirePostgres() : "";
  const backend: StateBackendAddress = type === "local" ? { type: "local", dir: "state" } : { type: "pg", schema };
  const stackBackend: StateBackendAddress = type === "local" ? { type: "local", dir: "../../../state" } : backend;
  const env: Record<string, string> = { CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...(type === "pg" ? { PG_CONN_STR: connectionString } : {}) };
  const opened: StateBackend[] = [];
  return {
    dir,
    type,
    backend,
    backendFlag: type === "local" ? "local:state" : `pg:${schema}`,
    stackBackend,
    env,
    async open() {
      const backendOpened = await openStateBackend(backend, { env, cwd: dir, logger: { warn: () => undefined } });
      opened.push(backendOpened);
      return backendOpened;
    },
    async cleanup() {
      await Promise.all(opened.map((b) => b.close()));
      await fs.rm(dir, { recursive: true, force: true });
      if (type === "pg") {
        const admin = new Client({ connectionString });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    },
  };
}

/** A Web (or PKCE) app in the emulator with a loopback redirect URI, and the connection's declaration for it. */
export interface DeclaredConnection {
  readonly spec: OAuthConnectionSpec;
  readonly clientId: string;
  /** The Web app's secret ("" for PKCE). */
  readonly clientSecret: string;
  /** What a process needs to reach the emulator and the app's secret. */
  readonly env: Record<string, string>;
}

export async function declaredConnection(
  world: TokenWorld,
  where: Project,
  options: { appKind?: "web" | "pkce"; redirectUris?: string[]; keepAliveSeconds?: number; tenants?: string[] } = {},
): Promise<DeclaredConnection> {
  const appKind = options.appKind ?? "web";
  const redirectUris = options.redirectUris ?? [`http://localhost:${await freeLoopbackPort()}/callback`];
  const created = await world.emulator.admin.createApp({ kind: appKind, name: "CRM", scopes: APP_SCOPES, redirectUris });
  const spec: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: CONNECTION_DOCUMENT,
    backend: where.stackBackend,
    app: {
      document: APP_DOCUMENT,
      backend: where.stackBackend,
      appName: "CRM",
      appKind,
      clientId: created.clientId,
      ...(appKind === "web" ? { clientSecret: { source: "env" as const, name: APP_SECRET_ENV } } : {}),
      redirectUris,
      scopes: APP_SCOPES,
    },
    tenants: options.tenants ?? [],
    scopes: CONNECTION_SCOPES,
    keepAliveSeconds: options.keepAliveSeconds ?? 30 * DAY_S,
    onDestroy: "retain",
  };
  const clientSecret = created.clientSecret ?? "";
  return {
    spec,
    clientId: created.clientId,
    clientSecret,
    env: { ...emulatorEnv(world.emulator), ...where.env, ...(appKind === "web" ? { [APP_SECRET_ENV]: clientSecret } : {}) },
  };
}

/** Consents through the emulator's consent page (its form posted) and stores the token set, as `connect` does. */
export async function consentedConnection(
  world: TokenWorld,
  where: Project,
  options: Parameters<typeof declaredConnection>[2] & { storedAt?: (now: Date) => Date } = {},
): Promise<DeclaredConnection & { clock: ManualClock }> {
  const declared = await declaredConnection(world, where, options);
  // In step with the emulator's clock, which earlier tests may have moved on (the id token's times are checked).
  const clock = new ManualClock(await world.emulator.admin.now());
  const result = await runConsentFlow({
    app: {
      clientId: declared.clientId,
      ...(declared.spec.app.appKind === "web" ? { clientSecret: declared.clientSecret } : {}),
      redirectUris: declared.spec.app.redirectUris,
    },
    scopes: declared.spec.scopes,
    openBrowser: formBrowser().open,
    output: () => undefined,
    client: { env: emulatorEnv(world.emulator), clock },
  });
  const backend = await where.open();
  await storeConsent(backend, declared.spec, result, options.storedAt?.(clock.now()) ?? clock.now());
  return { ...declared, clock };
}

/** Moves the emulator's clock and the test's together. */
export async function advance(world: TokenWorld, clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await world.emulator.admin.advanceClock(ms / 1000);
}

/** The token endpoint requests the emulator logged since the last clear, by grant type. */
export async function tokenRequests(world: TokenWorld): Promise<string[]> {
  return (await world.emulator.admin.requests())
    .filter((entry) => entry.path === "/identity/connect/token")
    .map((entry) => (typeof entry.body === "object" ? (entry.body["grant_type"] ?? "?") : "?"));
}
