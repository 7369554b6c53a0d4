import type { RunningEmulator } from "../../emulator";
import { ManualClock } from "../../providers/clock";
import { stageSecret, type StageResult } from "../../providers/lifecycle/rotation/stage";
import type { HistoryEntry, OutputValues, StateBackend } from "../../providers/state";
import { rotationDocumentFor, type RotatedAppKind, type SecretRotationSpec } from "../../contract/rotation";
import type { StateBackendAddress } from "../../contract/state-address";
import {
  customConnectionApp,
  emulatorEnv,
  expectHookOk,
  openWorkspaceBackend,
  REDIRECT_URI,
  registrationSpec,
  TEST_STATE_KEY,
  type Workspace,
} from "../lifecycle/support";

/** Shared setup of the rotation suites (test/lifecycle/rotation*.test.ts and test/rotation/). */

export const APP_DOCUMENT = "billing/Sync";
export const ROTATION_DOCUMENT = rotationDocumentFor(APP_DOCUMENT);
/** The variable the app's declared secret comes from. */
export const SECRET_ENV = "SYNC_CLIENT_SECRET";
export const DAY_S = 86_400;
export const START = new Date("2026-05-01T00:00:00Z");

export function rotationSpec(
  backend: StateBackendAddress,
  app: { clientId: string; appKind: RotatedAppKind },
  fields: Partial<Omit<SecretRotationSpec, "app" | "kind">> = {},
): SecretRotationSpec {
  return {
    version: 1,
    kind: "secret_rotation",
    document: ROTATION_DOCUMENT,
    backend,
    app: {
      document: APP_DOCUMENT,
      backend,
      appName: "Nightly sync",
      appKind: app.appKind,
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    },
    maxAgeSeconds: 90 * DAY_S,
    keepPreviousSeconds: 7 * DAY_S,
    onOverdue: "warn",
    ...fields,
  };
}

/** An app in the emulator, registered (its hook applied, so its document names client id and kind). */
export interface RegisteredApp {
  readonly clientId: string;
  readonly appKind: RotatedAppKind;
  /** The secret the app was created with: what SECRET_ENV holds. */
  readonly secret: string;
  readonly spec: SecretRotationSpec;
}

export async function registeredApp(
  emulator: RunningEmulator,
  ws: Workspace,
  appKind: RotatedAppKind,
  fields: Partial<Omit<SecretRotationSpec, "app" | "kind">> = {},
  env: Record<string, string> = {},
  options: { declareRotation?: boolean } = {},
): Promise<RegisteredApp> {
  let clientId: string;
  let secret: string;
  if (appKind === "custom_connection") {
    ({ clientId, clientSecret: secret } = await customConnectionApp(emulator));
  } else {
    const created = await emulator.admin.createApp({ kind: "web", name: "Nightly sync", scopes: ["accounting.invoices.read"], redirectUris: [REDIRECT_URI] });
    clientId = created.clientId;
    secret = created.clientSecret ?? "";
  }
  const registration = registrationSpec(ws.backend, {
    document: APP_DOCUMENT,
    appKind,
    clientId,
    clientSecret: { source: "env", name: SECRET_ENV },
    scopes: ["accounting.invoices.read"],
    redirectUris: appKind === "web" ? [REDIRECT_URI] : [],
  });
  await expectHookOk(ws, emulator, "apply", registration, { env: { ...env, [SECRET_ENV]: secret } });
  const spec = rotationSpec(ws.backend, { clientId, appKind }, fields);
  // The rotation is declared and its init hook has run, as after a deploy: `secret stage` needs its document.
  if (options.declareRotation !== false) await expectHookOk(ws, emulator, "init", spec, { env: { ...env, [SECRET_ENV]: secret } });
  return { clientId, appKind, secret, spec };
}

/** Stages `candidate` in-process, as `cdktf-xero secret stage` does; never throws (the error is returned). */
export async function stageIn(
  ws: Workspace,
  emulator: RunningEmulator,
  candidate: string,
  options: { clock?: ManualClock; env?: Record<string, string>; appDocument?: string; newRotationId?: () => string; newId?: () => string } = {},
): Promise<{ result?: StageResult; error?: Error & { code?: string }; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  try {
    const result = await stageSecret(
      { appDocument: options.appDocument ?? APP_DOCUMENT, backend: ws.backend, candidate },
      {
        env: { ...emulatorEnv(emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...options.env },
        cwd: ws.dir,
        stdout: { write: (text) => void (stdout += text) },
        stderr: { write: (text) => void (stderr += text) },
        clock: options.clock ?? new ManualClock(START),
        ...(options.newRotationId === undefined ? {} : { newRotationId: options.newRotationId }),
        ...(options.newId === undefined ? {} : { newId: options.newId }),
      },
    );
    return { result, stdout, stderr };
  } catch (error) {
    return { error: error as Error & { code?: string }, stdout, stderr };
  }
}

/** Stages, failing the test with the message when it does not succeed. */
export async function expectStaged(
  ws: Workspace,
  emulator: RunningEmulator,
  candidate: string,
  clock?: ManualClock,
  env: Record<string, string> = {},
): Promise<StageResult> {
  const outcome = await stageIn(ws, emulator, candidate, clock === undefined ? { env } : { clock, env });
  if (outcome.result === undefined) throw new Error(`secret stage failed: ${outcome.error?.message}`);
  return outcome.result;
}

/** What a rotation document holds: plain outputs, the opened secrets, the history actions. */
export interface RotationView {
  readonly values: OutputValues | undefined;
  readonly serial: number | undefined;
  readonly secrets: Readonly<Record<string, string>>;
  readonly history: readonly HistoryEntry[];
  readonly actions: readonly string[];
}

export async function viewRotation(backend: StateBackend, name = ROTATION_DOCUMENT): Promise<RotationView> {
  const stored = await backend.read(name);
  const history = await backend.history(name);
  return {
    values: stored?.values,
    serial: stored?.serial,
    secrets: stored === undefined ? {} : await backend.openSecrets(stored),
    history,
    actions: history.map((entry) => entry.action),
  };
}

export async function readRotation(ws: Workspace, name = ROTATION_DOCUMENT, env: Record<string, string> = {}): Promise<RotationView> {
  const backend = await openWorkspaceBackend(ws, env);
  try {
    return await viewRotation(backend, name);
  } finally {
    await backend.close();
  }
}


/** A second secret generated "in the portal" for the app. */
export async function generateSecret(emulator: RunningEmulator, clientId: string): Promise<string> {
  return (await emulator.admin.addSecret(clientId)).clientSecret;
}
