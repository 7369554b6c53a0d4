import { XeroClient } from "../../providers/xero/client";
import type { XeroConnection } from "../../providers/xero/parse-api";
import {
  customConnectionApp,
  expectHookOk,
  linkSpec,
  openWorkspaceBackend,
  runHookIn,
  useHookTestWorld,
} from "./support";

const world = useHookTestWorld();

const SECRET = { source: "env", name: "SYNC_CLIENT_SECRET" } as const;

async function linkDocument() {
  const backend = await openWorkspaceBackend(world.ws);
  try {
    return await backend.read("billing/Link");
  } finally {
    await backend.close();
  }
}

describe("hook apply for a Custom Connection link", () => {
  it("records the one linked organisation: tenant id, name, type and connection id, and where the app's secret is", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Demo Company (NZ)" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET });
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { generation: 2, env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    const [connection] = (await world.emulator.admin.getApp(app.clientId)).connections;
    expect(result.outcome).toBe("recorded");
    expect((await linkDocument())?.values).toMatchObject({
      generation: 2,
      tenant_id: app.tenantId,
      tenant_name: "Demo Company (NZ)",
      tenant_type: "ORGANISATION",
      connection_id: connection?.id,
      client_id: app.clientId,
      app_name: "Nightly sync",
      client_secret_source: JSON.stringify({ appDocument: "billing/Sync", backend: world.ws.backend, clientSecret: SECRET }),
    });
  });

  it("fails at once with HOOK_NOT_LINKED and what the authorising user must do when waitForLink is 0", async () => {
    const app = await customConnectionApp(world.emulator, { linked: false });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET });
    const { error, sleeps } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    expect(error?.code).toBe("HOOK_NOT_LINKED");
    expect(error?.message).toBe(
      `Custom Connection "Nightly sync" (client id ${app.clientId}) is not linked to a Xero organisation. The authorising ` +
        `user named for it in the developer portal must open Xero's email and authorise the connection for the organisation; ` +
        `if the email expired, or the app's scopes or organisation were changed, re-authorise it at ` +
        `https://developer.xero.com/app/manage. Then run cdktf deploy again (waitForLink makes the deploy wait for the ` +
        `authorisation); nothing was recorded.`,
    );
    expect(sleeps).toEqual([]);
    expect(await linkDocument()).toBeUndefined();
  });

  it("polls with doubling waits up to waitForLink, printing a line before each, then fails", async () => {
    const app = await customConnectionApp(world.emulator, { linked: false });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { waitForLinkSeconds: 20 });
    const { error, sleeps, stdout } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    expect(sleeps).toEqual([2000, 4000, 8000, 6000]);
    expect(error?.message).toContain("is not linked to a Xero organisation after waiting 20 s.");
    expect(stdout.split("\n")[1]).toBe(
      `cdktf-xero: billing/Link: Custom Connection "Nightly sync" (client id ${app.clientId}) is not linked to an ` +
        `organisation yet (the authorising user must follow Xero's email); checking again in 4 s (2 s of 20 s waited).`,
    );
    expect(stdout.trim().split("\n")).toHaveLength(4);
  });

  it("succeeds when the authorising user links the organisation during the wait", async () => {
    const app = await customConnectionApp(world.emulator, { linked: false, orgName: "Linked Later Ltd" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { waitForLinkSeconds: 300 });
    let waits = 0;
    const { result, error } = await runHookIn(world.ws, world.emulator, "apply", spec, {
      env: { SYNC_CLIENT_SECRET: app.clientSecret },
      onSleep: async () => {
        waits += 1;
        if (waits === 2) await world.emulator.admin.link(app.clientId, app.tenantId);
      },
    });
    expect(error).toBeUndefined();
    expect(waits).toBe(2);
    expect(result?.outputs).toMatchObject({ tenant_id: app.tenantId, tenant_name: "Linked Later Ltd" });
  });

  it("gets a new access token when the wait outlasts the one it has", async () => {
    const app = await customConnectionApp(world.emulator, { linked: false });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { waitForLinkSeconds: 3600 });
    let tokenRequests = 0;
    let waitedMs = 0;
    const { result, error } = await runHookIn(world.ws, world.emulator, "apply", spec, {
      env: { SYNC_CLIENT_SECRET: app.clientSecret },
      onSleep: async (ms) => {
        waitedMs += ms;
        // Xero's access tokens last 30 minutes; link a little after that.
        if (waitedMs >= 1_900_000 && waitedMs - ms < 1_900_000) await world.emulator.admin.link(app.clientId, app.tenantId);
      },
      deps: {
        createXeroClient: (options) => {
          const real = new XeroClient(options);
          return {
            clientId: real.clientId,
            clientCredentials: (o) => {
              tokenRequests += 1;
              return real.clientCredentials(o);
            },
            probeClient: () => real.probeClient(),
            probeAuthorize: (input) => real.probeAuthorize(input),
            decodeAccessToken: (t) => real.decodeAccessToken(t),
            refresh: (t) => real.refresh(t),
            revoke: (t) => real.revoke(t),
            deleteConnection: (t, id) => real.deleteConnection(t, id),
            listConnections: (t, o) => real.listConnections(t, o),
          };
        },
      },
    });
    expect(error).toBeUndefined();
    expect(result?.outputs["tenant_id"]).toBe(app.tenantId);
    expect(tokenRequests).toBe(2);
  });

  it("fails with HOOK_TENANT_MISMATCH naming both organisations when linked to another tenant id", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Wrong Org Ltd" });
    const { tenantId: expected } = await world.emulator.admin.createOrg({ name: "Right Org Ltd" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { expectedTenantId: expected });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    expect(error?.code).toBe("HOOK_TENANT_MISMATCH");
    expect(error?.message).toBe(
      `Custom Connection "Nightly sync" (client id ${app.clientId}) is linked to "Wrong Org Ltd" (tenant id ${app.tenantId}), ` +
        `but the code expects tenant id ${expected}. Re-authorise the Custom Connection for the expected organisation at ` +
        `https://developer.xero.com/app/manage, or change expectedTenantId / expectedTenantName in the code; nothing was recorded.`,
    );
    expect(await linkDocument()).toBeUndefined();
  });

  it("fails with HOOK_TENANT_MISMATCH when the organisation's name is not the expected one", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Wrong Org Ltd" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET }, { expectedTenantName: "Right Org Ltd" });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    expect(error?.message).toContain(`but the code expects name "Right Org Ltd".`);
  });

  it("accepts the expected tenant id in another case and the name with other spacing and case", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Demo Company (NZ)" });
    const spec = linkSpec(
      world.ws.backend,
      { clientId: app.clientId, clientSecret: SECRET },
      { expectedTenantId: app.tenantId.toUpperCase(), expectedTenantName: " demo company (nz) " },
    );
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: app.clientSecret } });
    expect(result.outputs["tenant_id"]).toBe(app.tenantId);
  });

  it("records each of two apps' own organisation", async () => {
    const first = await customConnectionApp(world.emulator, { name: "Sync A", orgName: "Org A" });
    const second = await customConnectionApp(world.emulator, { name: "Sync B", orgName: "Org B" });
    const specA = linkSpec(world.ws.backend, { clientId: first.clientId, clientSecret: { source: "env", name: "SECRET_A" } }, { document: "billing/LinkA" });
    const specB = linkSpec(world.ws.backend, { clientId: second.clientId, clientSecret: { source: "env", name: "SECRET_B" } }, { document: "billing/LinkB" });
    const env = { SECRET_A: first.clientSecret, SECRET_B: second.clientSecret };
    const a = await expectHookOk(world.ws, world.emulator, "apply", specA, { env });
    const b = await expectHookOk(world.ws, world.emulator, "apply", specB, { env });
    expect([a.result.outputs["tenant_name"], b.result.outputs["tenant_name"]]).toEqual(["Org A", "Org B"]);
    expect([a.result.outputs["tenant_id"], b.result.outputs["tenant_id"]]).toEqual([first.tenantId, second.tenantId]);
  });

  it("fails with HOOK_TOO_MANY_CONNECTIONS when Xero lists more than one organisation", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Org A" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET });
    const extra: XeroConnection = {
      id: "7d4c0c39-3a43-4bf4-9b4b-0d5b3f2e8f11",
      authEventId: "0e9a2f4c-6c1b-4e59-8a55-6c7e2f3d9b10",
      tenantId: "5b8d1e0a-2f4c-4a8e-9d3b-1c2e3f4a5b6c",
      tenantType: "ORGANISATION",
      tenantName: "Org B",
      createdDateUtc: "2026-05-01T00:00:00.0000000",
      updatedDateUtc: "2026-05-01T00:00:00.0000000",
    };
    // Xero never does this for a Custom Connection; a client that adds a second connection stands in for it.
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, {
      env: { SYNC_CLIENT_SECRET: app.clientSecret },
      deps: {
        createXeroClient: (options) => {
          const real = new XeroClient(options);
          return {
            clientId: real.clientId,
            clientCredentials: (o) => real.clientCredentials(o),
            probeClient: () => real.probeClient(),
            probeAuthorize: (input) => real.probeAuthorize(input),
            decodeAccessToken: (t) => real.decodeAccessToken(t),
            refresh: (t) => real.refresh(t),
            revoke: (t) => real.revoke(t),
            deleteConnection: (t, id) => real.deleteConnection(t, id),
            listConnections: async (t, o) => [...(await real.listConnections(t, o)), extra],
          };
        },
      },
    });
    expect(error?.code).toBe("HOOK_TOO_MANY_CONNECTIONS");
    expect(error?.message).toBe(
      `Custom Connection "Nightly sync" (client id ${app.clientId}) has 2 connections ("Org A" ${app.tenantId}, "Org B" ${extra.tenantId}), ` +
        `but a Custom Connection links exactly one organisation. Check that XERO_API_URL points at Xero, and re-authorise ` +
        `the connection for one organisation at https://developer.xero.com/app/manage; nothing was recorded.`,
    );
  });

  it("writes nothing on a second apply when the link is unchanged", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET });
    const env = { SYNC_CLIENT_SECRET: app.clientSecret };
    const first = await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
    const second = await expectHookOk(world.ws, world.emulator, "apply", spec, { env });
    expect(second.result.outcome).toBe("unchanged");
    expect(second.result.serial).toBe(first.result.serial);
  });

  it("fails with HOOK_INVALID_CLIENT naming the app when the app's secret is wrong", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: SECRET });
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { SYNC_CLIENT_SECRET: "bad-secret-value-789" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect(error?.message).toContain(`Custom Connection "Nightly sync" (client id ${app.clientId}) with invalid_client`);
  });
});
