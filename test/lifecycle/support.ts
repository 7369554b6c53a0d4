import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ManualClock } from "../../providers/clock";
import { runHook, type HookDeps, type HookResult, type HookVerb } from "../../providers/lifecycle";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { hashHookSpec, HookEnv, type HookSpec } from "../../contract/hook-spec";
import type { AppRegistrationSpec } from "../../contract/registration";
import type { CustomConnectionLinkSpec } from "../../contract/link";
import type { SecretReference } from "../../contract/spec-common";
import type { StateBackendAddress } from "../../contract/state-address";

/** A fixed test state key (base64 of 32 bytes); never used outside tests. */
export const TEST_STATE_KEY = `t:${Buffer.alloc(32, 0x5c).toString("base64")}`;

export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl };
}

export async function startTestEmulator(): Promise<RunningEmulator> {
  return startEmulator({});
}

/** A stack directory of its own (the hook's cwd), with the local backend at `state` inside it. */
export interface Workspace {
  readonly dir: string;
  readonly backend: StateBackendAddress;
  /** Every file under the workspace, concatenated: for leak checks. */
  allText(): Promise<string>;
  cleanup(): Promise<void>;
}

/** What a hook test file runs against: one emulator for the file, a fresh workspace for each test. */
export interface HookTestWorld {
  readonly emulator: RunningEmulator;
  readonly ws: Workspace;
}

/**
 * Registers the jest hooks that start and stop the file's emulator and make and remove each test's
 * workspace. Call it at the top of a test file; read `emulator` and `ws` inside the tests.
 */
export function useHookTestWorld(): HookTestWorld {
  const world = {} as { emulator: RunningEmulator; ws: Workspace };
  beforeAll(async () => {
    world.emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await world.emulator?.close();
  });
  beforeEach(async () => {
    world.ws = await workspace();
  });
  afterEach(async () => {
    await world.ws?.cleanup();
  });
  return world;
}

export async function workspace(backend?: StateBackendAddress): Promise<Workspace> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-hook-"));
  return {
    dir,
    backend: backend ?? { type: "local", dir: "state" },
    async allText() {
      const texts: string[] = [];
      const walk = async (at: string): Promise<void> => {
        for (const entry of await fs.readdir(at, { withFileTypes: true })) {
          const full = path.join(at, entry.name);
          if (entry.isDirectory()) await walk(full);
          else texts.push(`${full}\n${await fs.readFile(full, "utf8")}`);
        }
      };
      await walk(dir);
      return texts.join("\n");
    },
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

export function registrationSpec(
  backend: StateBackendAddress,
  fields: Partial<AppRegistrationSpec> & Pick<AppRegistrationSpec, "appKind" | "clientId" | "scopes">,
): AppRegistrationSpec {
  return {
    version: 1,
    kind: "app_registration",
    document: "billing/Sync",
    backend,
    appName: "Nightly sync",
    redirectUris: [],
    createdAfterGranularScopes: true,
    ...fields,
  };
}

export function linkSpec(
  backend: StateBackendAddress,
  app: { clientId: string; clientSecret: SecretReference; scopes?: string[] },
  fields: Partial<CustomConnectionLinkSpec> = {},
): CustomConnectionLinkSpec {
  return {
    version: 1,
    kind: "custom_connection_link",
    document: "billing/Link",
    backend,
    app: {
      document: "billing/Sync",
      backend,
      appName: "Nightly sync",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      scopes: app.scopes ?? ["accounting.invoices.read"],
    },
    waitForLinkSeconds: 0,
    unlinkOnDestroy: false,
    ...fields,
  };
}

/** The variables Terraform's provisioner passes, for `spec` at `generation`. */
export function hookVariables(spec: HookSpec, generation = 0): Record<string, string> {
  return {
    [HookEnv.spec]: JSON.stringify(spec),
    [HookEnv.specSha256]: hashHookSpec(spec),
    [HookEnv.generation]: String(generation),
  };
}

export interface HookRunOutcome {
  readonly result: HookResult | undefined;
  readonly error: (Error & { code?: string }) | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly sleeps: number[];
}

export interface RunOptions {
  readonly generation?: number;
  /** Extra environment (secrets). */
  readonly env?: Record<string, string>;
  readonly clock?: ManualClock;
  /** Called on each wait before the clock moves on by it. */
  readonly onSleep?: (ms: number) => Promise<void> | void;
  readonly deps?: Partial<HookDeps>;
}

/** Runs a hook in-process against the emulator, capturing everything it prints; never throws. */
export async function runHookIn(
  ws: Workspace,
  emulator: RunningEmulator,
  verb: HookVerb,
  spec: HookSpec,
  options: RunOptions = {},
): Promise<HookRunOutcome> {
  let stdout = "";
  let stderr = "";
  const sleeps: number[] = [];
  const clock = options.clock ?? new ManualClock(new Date("2026-05-01T00:00:00Z"));
  try {
    const result = await runHook(verb, {
      env: { ...emulatorEnv(emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...hookVariables(spec, options.generation), ...options.env },
      cwd: ws.dir,
      stdout: { write: (text) => void (stdout += text) },
      stderr: { write: (text) => void (stderr += text) },
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        await options.onSleep?.(ms);
        clock.advance(ms);
      },
      ...options.deps,
    });
    return { result, error: undefined, stdout, stderr, sleeps };
  } catch (error) {
    return { result: undefined, error: error as Error & { code?: string }, stdout, stderr, sleeps };
  }
}

/** Like {@link runHookIn}, but a failure fails the test with the hook's message. */
export async function expectHookOk(
  ws: Workspace,
  emulator: RunningEmulator,
  verb: HookVerb,
  spec: HookSpec,
  options: RunOptions = {},
): Promise<HookRunOutcome & { result: HookResult }> {
  const outcome = await runHookIn(ws, emulator, verb, spec, options);
  if (outcome.error !== undefined) throw new Error(`hook ${verb} failed: ${outcome.error.message}`);
  return outcome as HookRunOutcome & { result: HookResult };
}

/** A backend on the workspace's state, with the test key, for reading what the hooks wrote. */
export async function openWorkspaceBackend(ws: Workspace, env: Record<string, string> = {}): Promise<StateBackend> {
  return openStateBackend(ws.backend, {
    env: { CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...env },
    cwd: ws.dir,
    logger: { warn: () => undefined },
  });
}

/** A Custom Connection in the emulator, linked to a new organisation unless `linked: false`. */
export async function customConnectionApp(
  emulator: RunningEmulator,
  options: { scopes?: string[]; linked?: boolean; orgName?: string; name?: string } = {},
): Promise<{ clientId: string; clientSecret: string; tenantId: string }> {
  const app = await emulator.admin.createApp({
    kind: "custom_connection",
    name: options.name ?? "Nightly sync",
    scopes: options.scopes ?? ["accounting.invoices.read"],
  });
  const { tenantId } = await emulator.admin.createOrg({ name: options.orgName ?? "Demo Company (NZ)" });
  if (options.linked !== false) await emulator.admin.link(app.clientId, tenantId);
  return { clientId: app.clientId, clientSecret: app.clientSecret ?? "", tenantId };
}

export const REDIRECT_URI = "http://localhost:5000/callback";
