import { hashHookSpec } from "../../contract/hook-spec";
import {
  customConnectionApp,
  expectHookOk,
  linkSpec,
  openWorkspaceBackend,
  registrationSpec,
  runHookIn,
  useHookTestWorld,
} from "./support";

const world = useHookTestWorld();

const SECRET = { source: "env", name: "SYNC_CLIENT_SECRET" } as const;

async function read(name: string) {
  const backend = await openWorkspaceBackend(world.ws);
  try {
    return { document: await backend.read(name), history: await backend.history(name) };
  } finally {
    await backend.close();
  }
}

async function registered() {
  const app = await customConnectionApp(world.emulator);
  const spec = registrationSpec(world.ws.backend, { appKind: "custom_connection", clientId: app.clientId, clientSecret: SECRET, scopes: ["accounting.invoices.read"] });
  const env = { SYNC_CLIENT_SECRET: app.clientSecret };
  await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
  return { app, spec, env };
}

async function linked(unlinkOnDestroy: boolean) {
  const app = await customConnectionApp(world.emulator, { orgName: "Demo Company (NZ)" });
  const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { unlinkOnDestroy });
  const env = { SYNC_CLIENT_SECRET: app.clientSecret };
  const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
  return { app, spec, env, connectionId: String(result.outputs["connection_id"]) };
}

describe("hook init", () => {
  it("creates the document with generation 0 and nothing else", async () => {
    const spec = registrationSpec(world.ws.backend, { appKind: "pkce", clientId: "0123456789ABCDEF0123456789ABCDEF", redirectUris: ["http://localhost:5000/cb"], scopes: ["openid"] });
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "init", spec);
    expect(result.outcome).toBe("created");
    expect((await read("billing/Sync")).document?.values).toEqual({ generation: 0 });
    expect(stdout).toBe(`cdktf-xero: billing/Sync: created the document in ${result.backend} (serial 1), generation 0.\n`);
  });

  it("needs no spec hash or generation", async () => {
    const spec = registrationSpec(world.ws.backend, { appKind: "pkce", clientId: "0123456789ABCDEF0123456789ABCDEF", redirectUris: ["http://localhost:5000/cb"], scopes: ["openid"] });
    const { error } = await runHookIn(world.ws, world.emulator, "init", spec, { env: { CDKTF_XERO_SPEC_SHA256: "", CDKTF_XERO_GENERATION: "" } });
    expect(error).toBeUndefined();
  });

  it("leaves an existing document as it is (same serial, no history entry)", async () => {
    const { spec, env } = await registered();
    const before = await read("billing/Sync");
    const { result } = await expectHookOk(world.ws, world.emulator, "init", spec, { env });
    expect(result.outcome).toBe("exists");
    const after = await read("billing/Sync");
    expect(after.document?.serial).toBe(before.document?.serial);
    expect(after.history).toHaveLength(before.history.length);
  });

  it("leaves a retired document retired and says the next apply revives it", async () => {
    const { spec, env } = await registered();
    await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "init", spec, { env });
    expect(result.outputs["retired"]).toBe(true);
    expect(stdout).toContain("is retired; the next apply revives it.");
  });
});

describe("hook destroy for an app registration", () => {
  it("retires the document, keeping its outputs and history", async () => {
    const { spec, env } = await registered();
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("retired");
    const { document, history } = await read("billing/Sync");
    expect(document?.values).toMatchObject({ retired: true, kind: "custom_connection", generation: 0 });
    expect(history.map((entry) => entry.action)).toEqual(["create", "retire"]);
  });

  it("prints what to delete in the developer portal", async () => {
    const { app, spec, env } = await registered();
    const { stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(stdout.trim().split("\n")[1]).toBe(
      `cdktf-xero: billing/Sync: Xero has no API to delete apps: if Custom Connection "Nightly sync" (client id ${app.clientId}) ` +
        `is no longer used, delete it (and its secrets) at https://developer.xero.com/app/manage.`,
    );
  });

  it("needs no secret", async () => {
    const { spec } = await registered();
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env: { SYNC_CLIENT_SECRET: "" } });
    expect(result.outcome).toBe("retired");
  });

  it("does nothing when a newer apply with another spec superseded the run", async () => {
    const { spec, env } = await registered();
    const newer = { ...spec, appName: "Nightly sync v2" };
    await expectHookOk(world.ws, world.emulator, "apply", newer, { env });
    const before = await read("billing/Sync");
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("superseded");
    expect(stdout).toBe(
      `cdktf-xero: billing/Sync: left as it is: it records spec ${hashHookSpec(newer).slice(0, 12)}, generation 0, not this ` +
        `run's (spec ${hashHookSpec(spec).slice(0, 12)}, generation 0): a newer apply superseded it.\n`,
    );
    expect((await read("billing/Sync")).document?.serial).toBe(before.document?.serial);
  });

  it("does nothing when a newer apply for a later generation superseded the run", async () => {
    const { spec, env } = await registered();
    await expectHookOk(world.ws, world.emulator, "apply", spec, { env, generation: 1 });
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env, generation: 0 });
    expect(result.outcome).toBe("superseded");
    expect((await read("billing/Sync")).document?.values["retired"]).toBeUndefined();
  });

  it("still retires its own run after the document's generation was bumped outside Terraform", async () => {
    const { spec, env } = await registered();
    const backend = await openWorkspaceBackend(world.ws);
    try {
      await backend.update("billing/Sync", (current) => ({ ...current!.values, generation: 5 }));
    } finally {
      await backend.close();
    }
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env, generation: 0 });
    expect(result.outcome).toBe("retired");
    expect((await read("billing/Sync")).document?.values["retired"]).toBe(true);
  });

  it("does nothing when the document records no completed apply", async () => {
    const spec = registrationSpec(world.ws.backend, { appKind: "pkce", clientId: "0123456789ABCDEF0123456789ABCDEF", redirectUris: ["http://localhost:5000/cb"], scopes: ["openid"] });
    await expectHookOk(world.ws, world.emulator, "init", spec);
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec);
    expect(result.outcome).toBe("superseded");
    expect(stdout).toContain("it records no completed apply (generation 0)");
  });

  it("succeeds without a document", async () => {
    const spec = registrationSpec(world.ws.backend, { appKind: "pkce", clientId: "0123456789ABCDEF0123456789ABCDEF", redirectUris: ["http://localhost:5000/cb"], scopes: ["openid"] });
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec);
    expect(result.outcome).toBe("missing");
    expect(stdout).toBe(`cdktf-xero: billing/Sync: there is no document in ${result.backend}; nothing to retire.\n`);
  });

  it("is idempotent: a second destroy finds the document already retired", async () => {
    const { spec, env } = await registered();
    await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("already_retired");
  });
});

describe("hook destroy for a Custom Connection link", () => {
  it("leaves the connection in Xero without unlinkOnDestroy, and retires the document", async () => {
    const { app, spec, env } = await linked(false);
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("retired");
    expect((await world.emulator.admin.getApp(app.clientId)).connections).toHaveLength(1);
    expect(stdout.split("\n")[0]).toBe(
      `cdktf-xero: billing/Link: the connection to "Demo Company (NZ)" (tenant id ${app.tenantId}) stays in Xero ` +
        `(unlinkOnDestroy is off); disconnect it in Xero if it is no longer needed.`,
    );
  });

  it("deletes the recorded connection with unlinkOnDestroy, then retires the document", async () => {
    const { app, spec, env, connectionId } = await linked(true);
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("retired");
    expect((await world.emulator.admin.getApp(app.clientId)).connections).toEqual([]);
    expect(stdout.split("\n")[0]).toBe(
      `cdktf-xero: billing/Link: deleted connection ${connectionId} to "Demo Company (NZ)" (tenant id ${app.tenantId}).`,
    );
  });

  it("treats a connection already deleted in Xero as done", async () => {
    const { app, spec, env, connectionId } = await linked(true);
    await world.emulator.admin.unlink(app.clientId);
    const { result, stdout } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env });
    expect(result.outcome).toBe("retired");
    expect(stdout.split("\n")[0]).toBe(
      `cdktf-xero: billing/Link: connection ${connectionId} to "Demo Company (NZ)" (tenant id ${app.tenantId}) was already gone.`,
    );
  });

  it("neither unlinks nor retires when a newer apply superseded the run", async () => {
    const { app, spec, env } = await linked(true);
    await expectHookOk(world.ws, world.emulator, "apply", spec, { env, generation: 1 });
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", spec, { env, generation: 0 });
    expect(result.outcome).toBe("superseded");
    expect((await world.emulator.admin.getApp(app.clientId)).connections).toHaveLength(1);
  });

  it("fails with HOOK_INVALID_CLIENT and leaves the document unretired when the secret no longer works", async () => {
    const { spec } = await linked(true);
    const { error } = await runHookIn(world.ws, world.emulator, "destroy", spec, { env: { SYNC_CLIENT_SECRET: "revoked-secret-000" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect((await read("billing/Link")).document?.values["retired"]).toBeUndefined();
  });
});
