import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { openStateBackend } from "../../providers/state";
import { registeredApp, ROTATION_DOCUMENT, rotationSpec, SECRET_ENV } from "../rotation/support";
import { requirePostgres } from "../support/postgres";
import { customConnectionApp, expectHookOk, registrationSpec, runHookIn, TEST_STATE_KEY, useHookTestWorld, workspace, type Workspace } from "./support";

/** `hook init` checks that the construct's deploy can succeed before it creates anything (providers/lifecycle/runtime/preflight.ts). */
const world = useHookTestWorld();

async function documentNames(ws: Workspace, env: Record<string, string> = {}): Promise<string[]> {
  const backend = await openStateBackend(ws.backend, { cwd: ws.dir, env: { CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...env }, logger: { warn: () => undefined } });
  try {
    return await backend.list();
  } finally {
    await backend.close();
  }
}

describe("hook init on the local backend", () => {
  it("fails with HOOK_NOT_READY naming the unset secret variable, and creates no document", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, { appKind: "custom_connection", clientId: app.clientId, clientSecret: { source: "env", name: "SYNC_SECRET" }, scopes: ["accounting.invoices.read"] });
    const { error } = await runHookIn(world.ws, world.emulator, "init", spec);
    expect(error?.code).toBe("HOOK_NOT_READY");
    expect(error?.message).toBe(
      "billing/Sync: this deploy would fail, so hook init changed nothing: 1) HOOK_SECRET_UNAVAILABLE: the client secret of Custom " +
        `Connection "Nightly sync" (client id ${app.clientId}) comes from environment variable SYNC_SECRET, which is not set in the ` +
        "environment of the hook. Export SYNC_SECRET in the environment that runs cdktf deploy (for example from the pipeline's secret " +
        "variables); nothing was recorded. Fix each, then run cdktf deploy again (Terraform runs this Init hook again, since it failed).",
    );
    expect(await documentNames(world.ws)).toEqual([]);
  });

  it("lets a rotation's init pass without a state key, since the local backend creates the default key when it first seals", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection", {}, {}, { declareRotation: false });
    const { result } = await expectHookOk(world.ws, world.emulator, "init", app.spec, { env: { CDKTF_XERO_STATE_KEY: "", [SECRET_ENV]: app.secret } });
    expect(result.outcome).toBe("created");
  });

  it("does not ask for the declared secret once the app's rotation records a CURRENT for this client", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection", {}, {}, { declareRotation: false });
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, { env: { [SECRET_ENV]: app.secret } });
    const { result } = await expectHookOk(world.ws, world.emulator, "init", app.spec);
    expect(result.outcome).toBe("exists");
  });
});

describe("hook init on the pg backend", () => {
  let ws: Workspace;
  let connectionString: string;
  let schema: string;

  beforeEach(async () => {
    connectionString = requirePostgres();
    schema = `preflight_${randomBytes(4).toString("hex")}`;
    ws = await workspace({ type: "pg", schema });
  });
  afterEach(async () => {
    await ws?.cleanup();
    const admin = new Client({ connectionString });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("fails a rotation's init with HOOK_NOT_READY naming the missing state key and the unset secret, both at once, and creates no document", async () => {
    const created = await customConnectionApp(world.emulator);
    const registration = registrationSpec(ws.backend, { appKind: "custom_connection", clientId: created.clientId, clientSecret: { source: "env", name: SECRET_ENV }, scopes: ["accounting.invoices.read"] });
    const pg = { PG_CONN_STR: connectionString };
    await expectHookOk(ws, world.emulator, "apply", registration, { env: { ...pg, [SECRET_ENV]: created.clientSecret } });
    const spec = rotationSpec(ws.backend, { clientId: created.clientId, appKind: "custom_connection" });
    const { error } = await runHookIn(ws, world.emulator, "init", spec, { env: { ...pg, CDKTF_XERO_STATE_KEY: "" } });
    expect(error?.code).toBe("HOOK_NOT_READY");
    expect(error?.message).toContain(
      `${ROTATION_DOCUMENT}: this deploy would fail, so hook init changed nothing: 1) STATE_KEY_MISSING: cannot write the secrets of ` +
        `state document "${ROTATION_DOCUMENT}": no state key is configured.`,
    );
    expect(error?.message).toContain(`2) HOOK_SECRET_UNAVAILABLE: the client secret of Custom Connection "Nightly sync" (client id ${created.clientId}) comes from environment variable ${SECRET_ENV}, which is not set`);
    expect(await documentNames(ws, pg)).toEqual(["billing/Sync"]);
  });

  it("fails with HOOK_NOT_READY naming the backend when PostgreSQL cannot be reached", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(ws.backend, { appKind: "custom_connection", clientId: app.clientId, clientSecret: { source: "env", name: "SYNC_SECRET" }, scopes: ["accounting.invoices.read"] });
    const closed = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable";
    const { error } = await runHookIn(ws, world.emulator, "init", spec, { env: { PG_CONN_STR: closed, SYNC_SECRET: app.clientSecret } });
    expect(error?.code).toBe("HOOK_NOT_READY");
    expect(error?.message).toMatch(/^billing\/Sync: this deploy would fail, so hook init changed nothing: 1\) STATE_UNAVAILABLE: state backend pg:preflight_[0-9a-f]{8} is unavailable/);
  });
});
