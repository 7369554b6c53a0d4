/**
 * The drift benchmark's world: an emulator with N Custom Connection apps, each linked to its own
 * organisation, and a local state backend holding their 2N documents (N app registrations, N links,
 * and optionally N secret rotations),
 * written by the real lifecycle hooks (run in-process, as Terraform's local-exec would run them,
 * without Terraform), then the emulator's latency switched on.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { hashHookSpec, HookEnv, type HookSpec } from "../contract/hook-spec";
import type { CustomConnectionLinkSpec } from "../contract/link";
import type { AppRegistrationSpec } from "../contract/registration";
import { rotationDocumentFor, type SecretRotationSpec } from "../contract/rotation";
import type { StateBackendAddress } from "../contract/state-address";
import { startEmulator, type RunningEmulator } from "../emulator";
import { runHook, type HookVerb } from "../providers/lifecycle";

export const BENCH_SCOPES: readonly string[] = ["accounting.invoices.read"];
/** The stack every document belongs to: documents are `<stack>/App<i>` and `<stack>/Link<i>`. */
export const BENCH_STACK = "bench";
/** A fixed state key for the benchmark's throwaway documents (base64 of 32 bytes). */
const BENCH_STATE_KEY = Buffer.alloc(32, 7).toString("base64");
/** Hooks run this many at a time while setting up (latency is off then). */
const SETUP_CONCURRENCY = 8;

export interface DriftBenchWorld {
  readonly emulator: RunningEmulator;
  /** `--backend` for the drift command: `local:<absolute dir>`. */
  readonly backendFlag: string;
  readonly backendDir: string;
  /** Every document written, app by app: `bench/App0`, [`bench/App0/rotation`], [`bench/Link0`], `bench/App1`, … */
  readonly documents: readonly string[];
  /** For the drift process: Xero URLs, the state key and each app's secret (`BENCH_SECRET_<i>`). */
  readonly env: Readonly<Record<string, string>>;
  /** Each app's client id and the variable of {@link env} that holds its secret. */
  readonly apps: ReadonlyArray<{ readonly clientId: string; readonly secretVariable: string }>;
  close(): Promise<void>;
}

/**
 * Builds the world under `dir` (which the caller removes). `latencyMs` is switched on once every
 * document is written, and the request log is cleared, so the log then holds only what follows.
 */
export async function buildDriftBenchWorld(options: {
  readonly dir: string;
  readonly apps: number;
  readonly latencyMs: number;
  /** false: only the app registrations' documents. @default true */
  readonly links?: boolean;
  /**
   * true: each app also gets a secret rotation, whose document holds its CURRENT secret: what
   * `drift --backend` (no checkout, so no secret references) needs to check an app live.
   * @default false
   */
  readonly rotations?: boolean;
}): Promise<DriftBenchWorld> {
  const backendDir = join(options.dir, "state");
  mkdirSync(backendDir, { recursive: true });
  const backend: StateBackendAddress = { type: "local", dir: backendDir };
  const emulator = await startEmulator({});
  try {
    const secrets: Record<string, string> = {};
    const apps: Array<{ clientId: string; secretVariable: string }> = [];
    const specs: HookSpec[][] = [];
    for (let i = 0; i < options.apps; i++) {
      const app = await emulator.admin.createApp({ kind: "custom_connection", name: `Bench ${i}`, scopes: [...BENCH_SCOPES] });
      const { tenantId } = await emulator.admin.createOrg({ name: `Bench Org ${i}` });
      await emulator.admin.link(app.clientId, tenantId);
      secrets[`BENCH_SECRET_${i}`] = app.clientSecret ?? "";
      apps.push({ clientId: app.clientId, secretVariable: `BENCH_SECRET_${i}` });
      const [registration, rotation, link] = documentSpecs(i, app.clientId, tenantId, backend);
      specs.push([registration, ...(options.rotations === true ? [rotation] : []), ...(options.links === false ? [] : [link])]);
    }
    const env: Record<string, string> = {
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: BENCH_STATE_KEY,
      ...secrets,
    };
    // An app's documents are written in order (registration first, as Terraform's dependencies
    // have it); apps run side by side.
    await inBatches(specs, SETUP_CONCURRENCY, async (appSpecs) => {
      for (const spec of appSpecs) {
        await runHookQuietly("init", spec, env, options.dir);
        await runHookQuietly("apply", spec, env, options.dir);
      }
    });
    await emulator.admin.setLatency(options.latencyMs);
    await emulator.admin.clearRequests();
    return {
      emulator,
      backendFlag: `local:${backendDir}`,
      backendDir,
      documents: specs.flatMap((appSpecs) => appSpecs.map((spec) => spec.document)),
      env,
      apps,
      close: () => emulator.close(),
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

function documentSpecs(
  i: number,
  clientId: string,
  tenantId: string,
  backend: StateBackendAddress,
): [AppRegistrationSpec, SecretRotationSpec, CustomConnectionLinkSpec] {
  const clientSecret = { source: "env", name: `BENCH_SECRET_${i}` } as const;
  const registration: AppRegistrationSpec = {
    version: 1,
    kind: "app_registration",
    document: `${BENCH_STACK}/App${i}`,
    backend,
    appKind: "custom_connection",
    appName: `Bench ${i}`,
    clientId,
    clientSecret,
    redirectUris: [],
    scopes: [...BENCH_SCOPES],
    createdAfterGranularScopes: true,
  };
  const link: CustomConnectionLinkSpec = {
    version: 1,
    kind: "custom_connection_link",
    document: `${BENCH_STACK}/Link${i}`,
    backend,
    app: { document: registration.document, backend, appName: registration.appName, clientId, clientSecret, scopes: [...BENCH_SCOPES] },
    expectedTenantId: tenantId,
    waitForLinkSeconds: 0,
    unlinkOnDestroy: false,
  };
  const rotation: SecretRotationSpec = {
    version: 1,
    kind: "secret_rotation",
    document: rotationDocumentFor(registration.document),
    backend,
    app: { document: registration.document, backend, appName: registration.appName, appKind: "custom_connection", clientId, clientSecret, scopes: [...BENCH_SCOPES] },
    maxAgeSeconds: 90 * 86_400,
    keepPreviousSeconds: 86_400,
    onOverdue: "warn",
  };
  return [registration, rotation, link];
}

/** One hook run with the variables Terraform's provisioner passes; its output is dropped, a failure thrown. */
async function runHookQuietly(verb: HookVerb, spec: HookSpec, env: Readonly<Record<string, string>>, cwd: string): Promise<void> {
  await runHook(verb, {
    env: { ...env, [HookEnv.spec]: JSON.stringify(spec), [HookEnv.specSha256]: hashHookSpec(spec), [HookEnv.generation]: "0" },
    cwd,
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
  });
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
