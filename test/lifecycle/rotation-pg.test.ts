import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import { CLI } from "../rotation/trials";
import { expectStaged, generateSecret, readRotation, registeredApp, SECRET_ENV, type RegisteredApp } from "../rotation/support";
import { emulatorEnv, expectHookOk, hookVariables, startTestEmulator, TEST_STATE_KEY, workspace, type Workspace } from "./support";
import { requirePostgres } from "../support/postgres";

/** The rotation on the PostgreSQL backend: one transaction per step, advisory locks across processes. Fails (never skips) without PG_CONN_STR. */

let emulator: RunningEmulator;
let ws: Workspace;
let connectionString: string;
let schema: string;
let pgEnv: Record<string, string>;

beforeAll(async () => {
  connectionString = requirePostgres();
  pgEnv = { PG_CONN_STR: connectionString };
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  schema = `rotation_${randomBytes(4).toString("hex")}`;
  ws = await workspace({ type: "pg", schema });
});
afterEach(async () => {
  await ws.cleanup();
  const admin = new Client({ connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** A bootstrapped rotation with a second secret staged; resolves to the app and that secret. */
async function staged(): Promise<{ app: RegisteredApp; second: string }> {
  const app = await registeredApp(emulator, ws, "custom_connection", {}, pgEnv);
  await expectHookOk(ws, emulator, "apply", app.spec, { env: { ...pgEnv, [SECRET_ENV]: app.secret } });
  const second = await generateSecret(emulator, app.clientId);
  await expectStaged(ws, emulator, second, undefined, pgEnv);
  return { app, second };
}

function hookProcess(app: RegisteredApp, extra: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "hook", "apply"], {
      cwd: ws.dir,
      env: {
        PATH: process.env.PATH ?? "",
        ...emulatorEnv(emulator),
        ...pgEnv,
        CDKTF_XERO_STATE_KEY: TEST_STATE_KEY,
        ...hookVariables(app.spec, 1),
        [SECRET_ENV]: app.secret,
        ...extra,
      },
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

describe("a secret rotation on the pg backend", () => {
  it("bootstraps, stages and promotes, every step one history entry", async () => {
    const { app, second } = await staged();
    await expectHookOk(ws, emulator, "apply", app.spec, { env: { ...pgEnv, [SECRET_ENV]: app.secret }, generation: 1 });
    const view = await readRotation(ws, undefined, pgEnv);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.actions).toEqual(["create", "rotation:bootstrapped", "write", "rotation:staged", "rotation:testing", "rotation:promoted", "write"]);
  });

  it("promotes exactly once when four hook processes race", async () => {
    const { app, second } = await staged();
    const runs = await Promise.all([1, 2, 3, 4].map(() => hookProcess(app)));
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const view = await readRotation(ws, undefined, pgEnv);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.actions.filter((action) => action === "rotation:promoted")).toHaveLength(1);
  });

  it("finishes a rotation whose process was SIGKILLed holding the advisory lock right after the promotion", async () => {
    const { app, second } = await staged();
    expect(await hookProcess(app, { CDKTF_XERO_FAILPOINT: "promoted:kill" })).toEqual({ code: null, signal: "SIGKILL" });
    expect(await hookProcess(app)).toEqual({ code: 0, signal: null });
    const view = await readRotation(ws, undefined, pgEnv);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.values).toMatchObject({ generation: 1, applied_generation: 1, step: "promoted" });
  });
});
