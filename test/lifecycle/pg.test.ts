import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import { openStateBackend } from "../../providers/state";
import {
  customConnectionApp,
  expectHookOk,
  linkSpec,
  registrationSpec,
  runHookIn,
  startTestEmulator,
  TEST_STATE_KEY,
  workspace,
  type Workspace,
} from "./support";
import { requirePostgres } from "../support/postgres";

/** The hooks against the PostgreSQL backend. Fails (never skips) without PG_CONN_STR. */

let emulator: RunningEmulator;
let ws: Workspace;
let connectionString: string;
let schema: string;

beforeAll(async () => {
  connectionString = requirePostgres();
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  schema = `lifecycle_${randomBytes(4).toString("hex")}`;
  ws = await workspace({ type: "pg", schema });
});
afterEach(async () => {
  await ws.cleanup();
  const admin = new Client({ connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function pgBackend() {
  return openStateBackend(ws.backend, { env: { CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, PG_CONN_STR: connectionString }, cwd: ws.dir, logger: { warn: () => undefined } });
}

describe("hooks on the pg backend", () => {
  it("init, apply, apply again and destroy a link: one row, serial unchanged by the second apply, retired at the end", async () => {
    const app = await customConnectionApp(emulator);
    const spec = linkSpec(ws.backend, { clientId: app.clientId, clientSecret: { source: "env", name: "SYNC_SECRET" } }, { unlinkOnDestroy: true });
    const env = { SYNC_SECRET: app.clientSecret, PG_CONN_STR: connectionString };
    expect((await expectHookOk(ws, emulator, "init", spec, { env })).result.outcome).toBe("created");
    const first = await expectHookOk(ws, emulator, "apply", spec, { env });
    const second = await expectHookOk(ws, emulator, "apply", spec, { env });
    expect([first.result.outcome, second.result.outcome]).toEqual(["recorded", "unchanged"]);
    expect(second.result.serial).toBe(first.result.serial);
    expect((await expectHookOk(ws, emulator, "destroy", spec, { env })).result.outcome).toBe("retired");
    expect((await emulator.admin.getApp(app.clientId)).connections).toEqual([]);
    const backend = await pgBackend();
    expect(await backend.list()).toEqual(["billing/Link"]);
    expect((await backend.read("billing/Link"))?.values).toMatchObject({ tenant_id: app.tenantId, retired: true });
    await backend.close();
  });

  it("reads a registration's secret from the pg document's envelope", async () => {
    const app = await customConnectionApp(emulator);
    const backend = await pgBackend();
    await backend.update("billing/Sync", async () => ({ generation: 0, secrets: await backend.sealSecrets("billing/Sync", { client_secret: app.clientSecret }) }));
    await backend.close();
    const spec = registrationSpec(ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "state", document: "billing/Sync", key: "client_secret" },
      scopes: ["accounting.invoices.read"],
    });
    const { result } = await expectHookOk(ws, emulator, "apply", spec, { env: { PG_CONN_STR: connectionString } });
    expect(result.outputs).toMatchObject({ client_id: app.clientId, kind: "custom_connection" });
  });

  it("records nothing in pg when the scopes mismatch", async () => {
    const app = await customConnectionApp(emulator, { scopes: ["accounting.contacts"] });
    const spec = registrationSpec(ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: "SYNC_SECRET" },
      scopes: ["accounting.invoices.read"],
    });
    const { error } = await runHookIn(ws, emulator, "apply", spec, { env: { SYNC_SECRET: app.clientSecret, PG_CONN_STR: connectionString } });
    expect(error?.code).toBe("HOOK_SCOPE_MISMATCH");
    const backend = await pgBackend();
    expect(await backend.read("billing/Sync")).toBeUndefined();
    await backend.close();
  });
});
