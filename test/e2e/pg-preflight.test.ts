/**
 * Issue 9, item 10, through real Terraform and PostgreSQL: a deploy of a rotation on the pg backend
 * without a state key fails in the rotation's Init hook, naming the missing key, before its document
 * exists; with the key set, the same deploy then succeeds and the plan after it is clean.
 */
import type { TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroScopes, XeroSecret, XeroSecretRotation, XeroState } from "../../index";
import type { StateBackendAddress } from "../../contract/state-address";
import { deploy, readStateRows, requirePostgres, startWorld, synthesize, terraform, unwrapped, type E2eWorld } from "./support";

const STACK = "pre";

describe("a rotation on PostgreSQL deployed without a state key", () => {
  let world: E2eWorld;
  let address: StateBackendAddress;
  let stackDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    requirePostgres();
    world = await startWorld();
    address = { type: "pg", schema: `e2e_pre_${process.pid}_${Date.now() % 100000}` };
    const app = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Sync app", scopes: ["accounting.invoices.read"] });
    env = { ...world.env, SYNC_CLIENT_SECRET: app.clientSecret!, CDKTF_XERO_STATE_KEY: "", CDKTF_XERO_STATE_KEY_FILE: "" };
    const state = XeroState.postgres({ schema: address.schema });
    stackDir = synthesize(world.dir, STACK, (stack: TerraformStack) => {
      const sync = new XeroAppRegistration(stack, "Sync", {
        kind: XeroAppKind.CUSTOM_CONNECTION,
        appName: "Sync app",
        clientId: app.clientId,
        clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
        scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
        state,
      });
      new XeroSecretRotation(stack, "SyncRotation", { app: sync });
    });
  });

  afterAll(async () => {
    if (address?.type === "pg") {
      const { Client } = await import("pg");
      const client = new Client({ connectionString: requirePostgres() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${address.schema}" CASCADE`);
      await client.end();
    }
    await world?.close();
  });

  const documentNames = async (): Promise<string[]> => ((await readStateRows(address)) as { name: string }[]).map((row) => row.name).sort();

  test("fails in the rotation's Init hook naming the missing state key, and the rotation document is never created", async () => {
    const applied = await deploy(stackDir, env);
    expect(applied.code).toBe(1);
    const stderr = unwrapped(applied.stderr);
    expect(stderr).toContain(
      `cdktf-xero: HOOK_NOT_READY: ${STACK}/Sync/rotation: this deploy would fail, so hook init changed nothing: 1) STATE_KEY_MISSING: ` +
        `cannot write the secrets of state document "${STACK}/Sync/rotation": no state key is configured.`,
    );
    expect(await documentNames()).not.toContain(`${STACK}/Sync/rotation`);
  });

  test("deploys once the key is set, and the plan after it is clean", async () => {
    const withKey = { ...env, CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 12).toString("base64") };
    const applied = await terraform(stackDir, ["apply", "-auto-approve"], withKey);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(await documentNames()).toEqual([`${STACK}/Sync`, `${STACK}/Sync/rotation`]);
    expect((await terraform(stackDir, ["plan", "-detailed-exitcode"], withKey)).code).toBe(0);
  });
});
