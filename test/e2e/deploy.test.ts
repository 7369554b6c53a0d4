/**
 * The product end to end: constructs synthesized, deployed by the real Terraform binary, hooks
 * talking to the emulator over loopback, documents in a real local directory or PostgreSQL.
 * The steps of one backend build on each other (deploy, then re-plan, then change), as a team's
 * pipeline would run them.
 */
import { readFileSync } from "node:fs";
import { TerraformOutput, type TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret, XeroState } from "../../index";
import { openStateBackend, type StateBackend } from "../../providers/state";
import type { StateBackendAddress } from "../../contract/state-address";
import {
  deploy,
  documentBackends,
  filesUnder,
  outputs,
  plannedReplacements,
  readStateRows,
  startWorld,
  synthesize,
  terraform,
  type E2eWorld,
  unwrapped,
} from "./support";

const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ];
const STACK = "e2e";

interface Declared {
  expectedTenantId: string;
  unlinkOnDestroy?: boolean;
  secretVariable?: string;
}

describe.each(documentBackends("e2e"))("a Custom Connection deployed through Terraform with the %s backend", (backendName, chooseBackend) => {
  let world: E2eWorld;
  let clientId: string;
  let clientSecret: string;
  let tenantId: string;
  let otherTenantId: string;
  let state: XeroState;
  let address: StateBackendAddress;
  let stackDir: string;
  let env: Record<string, string>;

  const declare = (declared: Declared) => (stack: TerraformStack) => {
    const app = new XeroAppRegistration(stack, "Sync", {
      kind: XeroAppKind.CUSTOM_CONNECTION,
      appName: "Nightly sync",
      clientId,
      clientSecret: XeroSecret.fromEnv(declared.secretVariable ?? "SYNC_CLIENT_SECRET"),
      scopes: SCOPES,
      state,
    });
    const link = new XeroCustomConnection(stack, "SyncLink", {
      app,
      expectedTenantId: declared.expectedTenantId,
      unlinkOnDestroy: declared.unlinkOnDestroy ?? false,
      state,
    });
    new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
    new TerraformOutput(stack, "tenant_name", { value: link.tenantName });
    new TerraformOutput(stack, "connection_id", { value: link.connectionId });
    new TerraformOutput(stack, "jdbc_url", { value: app.jdbcUrl });
  };

  const openBackend = (): Promise<StateBackend> => openStateBackend(address, { env: { ...process.env, ...env }, cwd: world.dir });

  beforeAll(async () => {
    world = await startWorld();
    address = chooseBackend(world.dir);
    state = address.type === "local" ? XeroState.local(address.dir) : XeroState.postgres({ schema: address.schema });
    const app = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Nightly sync", scopes: [...SCOPES] });
    clientId = app.clientId;
    clientSecret = app.clientSecret!;
    tenantId = (await world.emulator.admin.createOrg({ name: "Demo Company (AU)" })).tenantId;
    otherTenantId = (await world.emulator.admin.createOrg({ name: "Other Org Ltd" })).tenantId;
    await world.emulator.admin.link(clientId, tenantId);
    env = {
      ...world.env,
      SYNC_CLIENT_SECRET: clientSecret,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 7).toString("base64"),
    };
  });

  afterAll(async () => {
    await world?.close();
  });

  test("deploy proves the link and exposes the emulator's tenant as Terraform outputs", async () => {
    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId }));
    const applied = await deploy(stackDir, env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    const values = await outputs(stackDir, env);
    expect(values.tenant_id).toBe(tenantId);
    expect(values.tenant_name).toBe("Demo Company (AU)");
    expect(values.jdbc_url).toBe(`jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=${clientId};Scope=${SCOPES.join(" ")};`);
  });

  test("a second plan after deploy shows no changes", async () => {
    const plan = await plannedReplacements(stackDir, env);
    expect(plan).toEqual({ exitCode: 0, replaced: [] });
  });

  test("bumping a document's generation replaces exactly that hook, and the plan after apply is clean", async () => {
    const backend = await openBackend();
    try {
      await backend.update(`${STACK}/SyncLink`, (current) => ({ ...current!.values, generation: Number(current!.values.generation) + 1 }));
    } finally {
      await backend.close();
    }
    const pending = await plannedReplacements(stackDir, env);
    expect(pending.exitCode).toBe(2);
    expect(pending.replaced).toHaveLength(1);
    expect(pending.replaced[0]).toMatch(/^terraform_data\.SyncLink_[0-9A-F]{8}$/);

    const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
    expect(applied.code).toBe(0);
    expect(await plannedReplacements(stackDir, env)).toEqual({ exitCode: 0, replaced: [] });
  });

  test("a wrong secret fails the deploy naming the app, and records nothing", async () => {
    const before = await readDocument(`${STACK}/Sync`);
    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId, secretVariable: "WRONG_SYNC_SECRET" }));
    const applied = await deploy(stackDir, { ...env, WRONG_SYNC_SECRET: "not-the-secret-0123456789" });
    expect(applied.code).toBe(1);
    expect(unwrapped(applied.stderr)).toContain("Nightly sync");
    expect(unwrapped(applied.stderr)).toContain(clientId);
    expect(await readDocument(`${STACK}/Sync`)).toEqual(before);
  });

  test("changing the expected tenant replaces the link hook and fails saying which tenant was found", async () => {
    // The wrong secret above left the registration hook's failed replacement (tainted): deploy the right spec first, so
    // the plan below shows only what the tenant change does.
    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId }));
    expect((await deploy(stackDir, env)).code).toBe(0);
    const before = await readStored(`${STACK}/SyncLink`);
    expect(before?.values.tenant_id).toBe(tenantId);

    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: otherTenantId }));
    const plan = await plannedReplacements(stackDir, env);
    expect(plan.exitCode).toBe(2);
    expect(plan.replaced).toHaveLength(1);
    expect(plan.replaced[0]).toMatch(/^terraform_data\.SyncLink_[0-9A-F]{8}$/);

    const applied = await deploy(stackDir, env);
    expect(applied.code).toBe(1);
    expect(unwrapped(applied.stderr)).toContain(otherTenantId);
    expect(unwrapped(applied.stderr)).toContain(tenantId);
    expect(await readStored(`${STACK}/SyncLink`)).toEqual(before);
  });

  test("an organisation unlinked in Xero makes the next deploy after a spec change fail with what the authorising user must do", async () => {
    await world.emulator.admin.unlink(clientId);
    try {
      stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId, unlinkOnDestroy: true }));
      const applied = await deploy(stackDir, env);
      expect(applied.code).toBe(1);
      expect(unwrapped(applied.stderr)).toMatch(/not linked|no organisation/i);
    } finally {
      // Linked again whatever happened here, so the next step tests its own behaviour.
      await world.emulator.admin.link(clientId, tenantId);
    }
  });

  test("destroy without unlinkOnDestroy retires the link's document and leaves the organisation linked", async () => {
    // A stack of its own (its own documents and Terraform state), so the main stack's steps go on as they were.
    const keepDir = synthesize(world.dir, `${STACK}-keep`, declare({ expectedTenantId: tenantId, unlinkOnDestroy: false }));
    const connections = async () => (await world.emulator.admin.getApp(clientId)).connections.map(({ id, tenantId: tenant }) => ({ id, tenant }));
    const linked = await connections();
    expect(linked).toEqual([{ id: expect.any(String), tenant: tenantId }]);

    expect((await deploy(keepDir, env)).code).toBe(0);
    const destroyed = await terraform(keepDir, ["destroy", "-auto-approve"], env);
    expect(destroyed.code).toBe(0);

    // Retired: the destroy hook ran, and chose not to unlink.
    expect((await readDocument(`${STACK}-keep/SyncLink`))?.retired).toBe(true);
    expect(await connections()).toEqual(linked);
  });

  test("destroy retires the documents and unlinks the organisation only when asked", async () => {
    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId, unlinkOnDestroy: true }));
    expect((await deploy(stackDir, env)).code).toBe(0);
    const destroyed = await terraform(stackDir, ["destroy", "-auto-approve"], env);
    expect(destroyed.code).toBe(0);

    const link = await readDocument(`${STACK}/SyncLink`);
    const registration = await readDocument(`${STACK}/Sync`);
    expect(link?.retired).toBe(true);
    expect(registration?.retired).toBe(true);
    expect((await world.emulator.admin.getApp(clientId)).connections).toEqual([]);
  });

  test("no secret value appears in cdktf.out, any tfstate, the plan, or documents outside their envelopes", async () => {
    await world.emulator.admin.link(clientId, tenantId); // the destroy above unlinked it
    stackDir = synthesize(world.dir, STACK, declare({ expectedTenantId: tenantId }));
    const applied = await deploy(stackDir, env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    await terraform(stackDir, ["plan", "-out=leak.tfplan"], env);
    const plan = await terraform(stackDir, ["show", "-json", "leak.tfplan"], env);

    const haystacks = [applied.stdout, applied.stderr, plan.stdout, ...filesUnder(world.dir).map((file) => readFileSync(file, "utf8"))];
    if (backendName === "pg") haystacks.push(JSON.stringify(await readStateRows(address)));
    for (const text of haystacks) {
      expect(text).not.toContain(clientSecret);
      expect(text).not.toContain(env.CDKTF_XERO_STATE_KEY);
    }
  });

  /** A document's serial and values: equal before and after means nothing was written. */
  async function readStored(name: string): Promise<{ serial: number; values: Record<string, unknown> } | undefined> {
    const backend = await openBackend();
    try {
      const stored = await backend.read(name);
      return stored === undefined ? undefined : { serial: stored.serial, values: { ...stored.values } };
    } finally {
      await backend.close();
    }
  }

  async function readDocument(name: string): Promise<Record<string, unknown> | undefined> {
    const backend = await openBackend();
    try {
      const stored = await backend.read(name);
      return stored === undefined ? undefined : { ...stored.values };
    } finally {
      await backend.close();
    }
  }

});
