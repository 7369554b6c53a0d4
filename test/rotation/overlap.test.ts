import { startEmulator, type RunningEmulator } from "../../emulator";
import { XeroInvalidClientError } from "../../providers/xero/errors";
import { XeroClient } from "../../providers/xero/client";
import { emulatorEnv, expectHookOk, registrationSpec, workspace, type Workspace } from "../lifecycle/support";
import { APP_DOCUMENT, expectStaged, generateSecret, readRotation, registeredApp, SECRET_ENV } from "./support";

/**
 * The OPEN item of xero-platform.md: does an older client secret stay valid after "Generate another
 * secret"? The emulator's `secretOverlap` both ways, with a consumer that reads CURRENT from the
 * state document before each call (as `XeroSecret.fromState` consumers do). The outage window is
 * recorded as the operator steps during which that consumer fails.
 */
async function consumerSucceeds(emulator: RunningEmulator, ws: Workspace, clientId: string): Promise<boolean> {
  const current = (await readRotation(ws)).secrets["current"];
  if (current === undefined) throw new Error("no CURRENT recorded");
  try {
    await new XeroClient({ clientId, clientSecret: current, env: emulatorEnv(emulator) }).clientCredentials();
    return true;
  } catch (error) {
    if (error instanceof XeroInvalidClientError) return false;
    throw error;
  }
}

/** Walks the operator's steps of one rotation and returns the steps after which the consumer failed. */
async function outageWindow(secretOverlap: boolean): Promise<{ failedAfter: string[]; registrationAfterRotation: boolean }> {
  const emulator = await startEmulator({ secretOverlap });
  const ws = await workspace();
  try {
    const app = await registeredApp(emulator, ws, "custom_connection");
    const env = { [SECRET_ENV]: app.secret };
    await expectHookOk(ws, emulator, "apply", app.spec, { env });
    const failedAfter: string[] = [];
    const check = async (step: string): Promise<void> => {
      if (!(await consumerSucceeds(emulator, ws, app.clientId))) failedAfter.push(step);
    };
    await check("bootstrap");
    const second = await generateSecret(emulator, app.clientId);
    await check("generate in the portal");
    await expectStaged(ws, emulator, second);
    await check("secret stage");
    await expectHookOk(ws, emulator, "apply", app.spec, { env, generation: 1 });
    await check("deploy");
    // The app's own hook keeps working although its declared variable still holds the first secret.
    const registration = registrationSpec(ws.backend, {
      document: APP_DOCUMENT,
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const after = await expectHookOk(ws, emulator, "apply", registration, { env, generation: 1 });
    return { failedAfter, registrationAfterRotation: after.result.outcome !== undefined };
  } finally {
    await ws.cleanup();
    await emulator.close();
  }
}

describe("a rotation under the emulator's secretOverlap setting", () => {
  it("never fails a consumer reading CURRENT when older secrets stay valid (secretOverlap true, the default)", async () => {
    expect(await outageWindow(true)).toEqual({ failedAfter: [], registrationAfterRotation: true });
  });

  it("fails a consumer from generating the new secret until the deploy promotes it when older secrets die (secretOverlap false)", async () => {
    expect(await outageWindow(false)).toEqual({ failedAfter: ["generate in the portal", "secret stage"], registrationAfterRotation: true });
  });
});
