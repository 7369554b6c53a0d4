import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { emulatorEnv, expectHookOk, hookVariables, TEST_STATE_KEY, workspace, type Workspace } from "../lifecycle/support";
import { APP_DOCUMENT, expectStaged, generateSecret, readRotation, registeredApp, SECRET_ENV } from "./support";
import { CLI } from "./trials";

/**
 * Concurrent rotations of one app, as four pipelines would run them: four compiled CLI processes
 * started together against the same local state directory. The rotation document's lock makes one
 * of them rotate and the others find it done.
 */
let emulator: RunningEmulator;
let ws: Workspace;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
  emulator = await startEmulator({});
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

function cli(args: string[], env: Record<string, string>, stdin = ""): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? "", ...emulatorEnv(emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
    child.stdin.end(stdin);
  });
}

describe("four concurrent rotations of the same app", () => {
  it("promote the staged secret exactly once, and all four succeed", async () => {
    const app = await registeredApp(emulator, ws, "custom_connection");
    await expectHookOk(ws, emulator, "apply", app.spec, { env: { [SECRET_ENV]: app.secret } });
    const second = await generateSecret(emulator, app.clientId);
    await expectStaged(ws, emulator, second);
    const env = { ...hookVariables(app.spec, 1), [SECRET_ENV]: app.secret };
    const runs = await Promise.all([1, 2, 3, 4].map(() => cli(["hook", "apply"], env)));
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const view = await readRotation(ws);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.actions.filter((action) => action === "rotation:promoted")).toHaveLength(1);
    expect(view.actions.filter((action) => action === "rotation:testing")).toHaveLength(1);
    expect(view.values).toMatchObject({ generation: 1 });
  });

  it("leave one candidate PENDING when four operators stage different secrets at once, and the deploy promotes that one", async () => {
    const app = await registeredApp(emulator, ws, "custom_connection");
    await expectHookOk(ws, emulator, "apply", app.spec, { env: { [SECRET_ENV]: app.secret } });
    const candidates = [];
    for (let i = 0; i < 4; i += 1) candidates.push(await generateSecret(emulator, app.clientId));
    const runs = await Promise.all(candidates.map((candidate) => cli(["secret", "stage", APP_DOCUMENT, "--backend", "local:state"], {}, candidate)));
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const staged = await readRotation(ws);
    expect(Object.keys(staged.secrets).sort()).toEqual(["current", "pending"]);
    expect(candidates).toContain(staged.secrets["pending"]);
    expect(staged.values).toMatchObject({ generation: 4 });
    const deploy = await cli(["hook", "apply"], { ...hookVariables(app.spec, 4), [SECRET_ENV]: app.secret });
    expect(deploy.code).toBe(0);
    expect((await readRotation(ws)).secrets).toEqual({ current: staged.secrets["pending"], previous: app.secret });
  });
});
