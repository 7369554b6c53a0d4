import { ConnectionOutputs } from "../../contract/connection";
import { rotationDocumentFor } from "../../contract/rotation";
import { getAccessToken, type GetAccessTokenOptions } from "../../providers/tokens";
import { RefreshFailpointError, refreshFailpointsFrom } from "../../providers/tokens/failpoints";
import { customConnectionApp, expectHookOk, linkSpec, registrationSpec, type Workspace } from "../lifecycle/support";
import { rejection } from "../xero/helpers";
import {
  advance,
  BACKEND_TYPES,
  CONNECTION_DOCUMENT,
  consentedConnection,
  MINUTE_MS,
  ORGANISATIONS,
  project,
  tokenRequests,
  useTokenWorld,
  type Project,
} from "./support";
import * as path from "node:path";
import { promises as fs } from "node:fs";
import { ManualClock } from "../../providers/clock";

/**
 * getAccessToken (the `cdktf-xero/tokens` library call) against the emulator's real token endpoint
 * and real state backends, local files and PostgreSQL.
 */

const world = useTokenWorld();

describe.each(BACKEND_TYPES)("getAccessToken on the %s backend", (type) => {
  let where: Project;
  beforeEach(async () => {
    where = await project(type);
  });
  afterEach(async () => {
    await where.cleanup();
  });

  function options(env: Record<string, string>, clock: ManualClock, extra: Partial<GetAccessTokenOptions> = {}): GetAccessTokenOptions {
    return { backend: where.backend, document: CONNECTION_DOCUMENT, env, clock, cwd: where.dir, projectRoot: where.dir, stderr: { write: () => undefined }, ...extra };
  }

  it("hands out the cached access token of a consented connection without a token request", async () => {
    const connection = await consentedConnection(world, where);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    await world.emulator.admin.clearRequests();
    const token = await getAccessToken(options(connection.env, connection.clock));
    expect(token.accessToken).toMatch(/^ey/);
    expect(token.expiresAt.getTime()).toBe(Date.parse(String(stored?.values[ConnectionOutputs.names.accessTokenExpiresAt])));
    expect(await tokenRequests(world)).toEqual([]);
  });

  it("refreshes once an access token within 5 minutes of expiry, and hands the new one out again from the cache", async () => {
    const connection = await consentedConnection(world, where);
    const first = await getAccessToken(options(connection.env, connection.clock));
    await advance(world, connection.clock, 26 * MINUTE_MS);
    await world.emulator.admin.clearRequests();
    const refreshed = await getAccessToken(options(connection.env, connection.clock));
    const again = await getAccessToken(options(connection.env, connection.clock));
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(again.accessToken).toBe(refreshed.accessToken);
    expect(await tokenRequests(world)).toEqual(["refresh_token"]);
    const connections = await fetch(`${world.emulator.apiUrl}/connections`, { headers: { authorization: `Bearer ${refreshed.accessToken}` } });
    expect(connections.status).toBe(200);
  });

  it("refreshes a PKCE app's connection, which has no client secret", async () => {
    const connection = await consentedConnection(world, where, { appKind: "pkce" });
    await advance(world, connection.clock, 26 * MINUTE_MS);
    await world.emulator.admin.clearRequests();
    await getAccessToken(options(connection.env, connection.clock));
    const [request] = (await world.emulator.admin.requests()).filter((entry) => entry.path === "/identity/connect/token");
    expect(request?.headers["authorization"]).toBeUndefined();
    expect(request?.body).toMatchObject({ grant_type: "refresh_token", client_id: connection.clientId });
  });

  it("returns no tenant when the consent covers several and none is asked for", async () => {
    const connection = await consentedConnection(world, where);
    const token = await getAccessToken(options(connection.env, connection.clock));
    expect([token.tenantId, token.tenantName]).toEqual([undefined, undefined]);
  });

  it("picks the tenant asked for by name or by id", async () => {
    const connection = await consentedConnection(world, where);
    const byName = await getAccessToken(options(connection.env, connection.clock, { tenant: "practice ltd" }));
    const byId = await getAccessToken(options(connection.env, connection.clock, { tenant: world.tenantIds[0]! }));
    expect([byName.tenantId, byName.tenantName]).toEqual([world.tenantIds[1], ORGANISATIONS[1]]);
    expect([byId.tenantId, byId.tenantName]).toEqual([world.tenantIds[0], ORGANISATIONS[0]]);
  });

  it("refuses a tenant the consent does not cover, listing the ones it does", async () => {
    const connection = await consentedConnection(world, where);
    const error = await rejection(getAccessToken(options(connection.env, connection.clock, { tenant: "Another Org" })));
    expect(error).toMatchObject({ code: "TENANT_NOT_CONNECTED" });
    expect((error as Error).message).toBe(
      `the connection in state document "${CONNECTION_DOCUMENT}" does not cover the organisation "Another Org" (by tenant id or name); it covers: ` +
        `"${ORGANISATIONS[0]}" (${world.tenantIds[0]}), "${ORGANISATIONS[1]}" (${world.tenantIds[1]}). Pass one of those to --tenant, or consent ` +
        `again for that organisation (\`cdktf-xero connect ${CONNECTION_DOCUMENT} --backend ${where.backendFlag}\`)`,
    );
  });

  it("refuses a retired document", async () => {
    const connection = await consentedConnection(world, where);
    await (await where.open()).retire(CONNECTION_DOCUMENT);
    const error = await rejection(getAccessToken(options(connection.env, connection.clock)));
    expect(error).toMatchObject({ code: "TOKEN_DOCUMENT_RETIRED" });
    expect((error as Error).message).toContain(`state document "${CONNECTION_DOCUMENT}"`);
  });

  it("names a document that does not exist", async () => {
    await (await where.open()).write("crm/Other", undefined, { generation: 0 });
    const error = await rejection(getAccessToken(options({ ...where.env }, new ManualClock())));
    expect(error).toMatchObject({ code: "TOKEN_DOCUMENT_NOT_FOUND" });
  });

  it("dies at a failpoint set in the environment, and the next call resumes the refresh", async () => {
    const connection = await consentedConnection(world, where);
    await advance(world, connection.clock, 26 * MINUTE_MS);
    const env = { ...connection.env, CDKTF_XERO_FAILPOINT: "refresh-answered:throw" };
    expect(await rejection(getAccessToken(options(env, connection.clock)))).toBeInstanceOf(RefreshFailpointError);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    expect(stored?.values[ConnectionOutputs.names.refreshStartedFingerprint]).not.toBe("");
    await world.emulator.admin.clearRequests();
    await getAccessToken(options(connection.env, connection.clock));
    expect(await tokenRequests(world)).toEqual(["refresh_token"]);
  });
});

describe("refresh failpoints from the environment", () => {
  it("refuses a failpoint it does not know, naming the ones it does", () => {
    expect(() => refreshFailpointsFrom({ CDKTF_XERO_FAILPOINT: "refresh-lost:kill" })).toThrow(
      'CDKTF_XERO_FAILPOINT (test only) must be <failpoint>:<kill|throw>[,…] with failpoints refresh-recorded, refresh-answered, refresh-written (or the rotation\'s), got "refresh-lost:kill"',
    );
  });

  it("leaves the rotation's failpoints to the rotation", () => {
    const kills: string[] = [];
    const failpoints = refreshFailpointsFrom({ CDKTF_XERO_FAILPOINT: "promoted:kill,refresh-written:kill" }, () => kills.push("killed"));
    failpoints("refresh-recorded");
    failpoints("refresh-written");
    expect(kills).toEqual(["killed"]);
  });
});

describe.each(BACKEND_TYPES)("getAccessToken for a Custom Connection on the %s backend", (type) => {
  let where: Project;
  let stack: Workspace;
  beforeEach(async () => {
    where = await project(type);
    // The hooks run in the stack directory, and address the backend from there (as synthesized).
    const dir = path.join(where.dir, "cdktf.out", "stacks", "billing");
    await fs.mkdir(dir, { recursive: true });
    stack = { dir, backend: where.stackBackend, allText: async () => "", cleanup: async () => undefined };
  });
  afterEach(async () => {
    await where.cleanup();
  });

  const SECRET_ENV = "SYNC_CLIENT_SECRET";

  async function registered() {
    const app = await customConnectionApp(world.emulator, { orgName: "Sync Org" });
    const env = { ...where.env, [SECRET_ENV]: app.clientSecret };
    const spec = registrationSpec(stack.backend, { appKind: "custom_connection", clientId: app.clientId, clientSecret: { source: "env", name: SECRET_ENV }, scopes: ["accounting.invoices.read"] });
    await expectHookOk(stack, world.emulator, "apply", spec, { env });
    const clock = new ManualClock(await world.emulator.admin.now());
    const consumerEnv = { ...env, XERO_LOGIN_URL: world.emulator.loginUrl, XERO_IDENTITY_URL: world.emulator.identityUrl, XERO_API_URL: world.emulator.apiUrl };
    return { app, env: consumerEnv, clock, spec };
  }

  function options(document: string, env: Record<string, string>, clock: ManualClock, extra: Partial<GetAccessTokenOptions> = {}): GetAccessTokenOptions {
    return { backend: where.backend, document, env, clock, cwd: where.dir, projectRoot: where.dir, stderr: { write: () => undefined }, ...extra };
  }

  it("mints a token with client credentials once, then hands out the cached one until 5 minutes before it expires", async () => {
    const { env, clock } = await registered();
    await world.emulator.admin.clearRequests();
    const first = await getAccessToken(options("billing/Sync", env, clock));
    const cached = await getAccessToken(options("billing/Sync", env, clock));
    expect(cached.accessToken).toBe(first.accessToken);
    expect(await tokenRequests(world)).toEqual(["client_credentials"]);
    await advance(world, clock, 26 * MINUTE_MS);
    const next = await getAccessToken(options("billing/Sync", env, clock));
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(await tokenRequests(world)).toEqual(["client_credentials", "client_credentials"]);
  });

  it("keeps the cached token only in the document's sealed envelope", async () => {
    const { env, clock } = await registered();
    const token = await getAccessToken(options("billing/Sync", env, clock));
    const stored = await (await where.open()).read("billing/Sync");
    expect(JSON.stringify(stored?.values)).not.toContain(token.accessToken);
    expect(await (await where.open()).openSecrets(stored!)).toEqual({ access_token: token.accessToken });
  });

  it("uses the rotation's CURRENT secret once one is recorded, not the declared one", async () => {
    const { app, env, clock } = await registered();
    const second = (await world.emulator.admin.addSecret(app.clientId)).clientSecret;
    await world.emulator.admin.deleteSecret(app.clientId, 1);
    const backend = await where.open();
    const rotation = rotationDocumentFor("billing/Sync");
    await backend.write(rotation, undefined, { client_id: app.clientId, secrets: await backend.sealSecrets(rotation, { current: second }) });
    const token = await getAccessToken(options("billing/Sync", env, clock));
    const connections = await fetch(`${world.emulator.apiUrl}/connections`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(connections.status).toBe(200);
  });

  it("vends for a link document too, with its organisation", async () => {
    const { app, env, clock } = await registered();
    const link = linkSpec(stack.backend, { clientId: app.clientId, clientSecret: { source: "env", name: SECRET_ENV } });
    await expectHookOk(stack, world.emulator, "apply", link, { env });
    const token = await getAccessToken(options("billing/Link", env, clock, { tenant: "Sync Org" }));
    expect([token.tenantId, token.tenantName]).toEqual([app.tenantId, "Sync Org"]);
  });

  it("refuses a retired Custom Connection document", async () => {
    const { env, clock } = await registered();
    await (await where.open()).retire("billing/Sync");
    expect(await rejection(getAccessToken(options("billing/Sync", env, clock)))).toMatchObject({ code: "TOKEN_DOCUMENT_RETIRED" });
  });
});
