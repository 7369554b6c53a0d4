import { ConnectionOutputs } from "../../contract/connection";
import { formatRfc3339 } from "../../providers/clock";
import { decideRefreshDue, refreshDueConnections } from "../../providers/tokens/refresh-due";
import { XeroClient } from "../../providers/xero/client";
import { emulatorEnv } from "../xero/emulator-fixture";
import { advance, BACKEND_TYPES, CONNECTION_DOCUMENT, consentedConnection, DAY_S, project, tokenRequests, useTokenWorld, type Project } from "./support";

/** `refresh --due` as a library call, with the emulator's clock and the caller's moved on together. */

const world = useTokenWorld();
const DAY_MS = DAY_S * 1000;

describe.each(BACKEND_TYPES)("refreshing due connections on the %s backend", (type) => {
  let where: Project;
  beforeEach(async () => {
    where = await project(type);
  });
  afterEach(async () => {
    await where.cleanup();
  });

  const refresh = (env: Record<string, string>, clock: import("../../providers/clock").ManualClock) =>
    refreshDueConnections(where.backend, { env, cwd: where.dir, projectRoot: where.dir, clock, stderr: { write: () => undefined } });

  it("refreshes a refresh token older than its keepAlive once, and records when it is due next", async () => {
    const connection = await consentedConnection(world, where);
    await advance(world, connection.clock, 31 * DAY_MS);
    await world.emulator.admin.clearRequests();
    const results = await refresh(connection.env, connection.clock);
    const nextDueAt = formatRfc3339(new Date(connection.clock.now().getTime() + 30 * DAY_MS));
    expect(results).toEqual([{ document: CONNECTION_DOCUMENT, outcome: "refreshed", nextDueAt }]);
    expect(await tokenRequests(world)).toEqual(["refresh_token"]);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    expect(ConnectionOutputs.decode(stored?.values).refreshTokenIssuedAt).toBe(formatRfc3339(connection.clock.now()));
  });

  it("leaves a connection alone before its keepAlive, saying when it is due", async () => {
    const connection = await consentedConnection(world, where);
    const dueAt = formatRfc3339(new Date(connection.clock.now().getTime() + 30 * DAY_MS));
    await advance(world, connection.clock, 10 * DAY_MS);
    await world.emulator.admin.clearRequests();
    expect(await refresh(connection.env, connection.clock)).toEqual([{ document: CONNECTION_DOCUMENT, outcome: "not_due", dueAt }]);
    expect(await tokenRequests(world)).toEqual([]);
  });

  it("reports a connection whose refresh token Xero refuses as needing consent, with the connect command", async () => {
    const connection = await consentedConnection(world, where);
    const backend = await where.open();
    const refreshToken = (await backend.openSecrets((await backend.read(CONNECTION_DOCUMENT))!))["refresh_token"]!;
    await new XeroClient({ clientId: connection.clientId, clientSecret: connection.clientSecret, env: emulatorEnv(world.emulator) }).revoke(refreshToken);
    await advance(world, connection.clock, 31 * DAY_MS);
    const [result] = await refresh(connection.env, connection.clock);
    expect(result).toMatchObject({ document: CONNECTION_DOCUMENT, outcome: "needs_consent", command: `cdktf-xero connect ${CONNECTION_DOCUMENT} --backend ${where.backendFlag}` });
    expect(ConnectionOutputs.decode((await backend.read(CONNECTION_DOCUMENT))?.values).status).toBe("needs_consent");
  });

  it("skips documents of other kinds", async () => {
    const connection = await consentedConnection(world, where);
    await (await where.open()).write("crm/CrmApp", undefined, { generation: 1, kind: "web", client_id: connection.clientId });
    expect((await refresh(connection.env, connection.clock)).map((result) => result.document)).toEqual([CONNECTION_DOCUMENT]);
  });
});

describe("whether a connection is due", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const connected = (refreshDueAt: string) => ConnectionOutputs.encode({ status: "connected", refreshDueAt });

  it("is due at its refresh_due_at", () => {
    expect(decideRefreshDue(connected("2026-06-01T00:00:00Z"), now)).toEqual({ kind: "due" });
  });

  it("is not due before it", () => {
    expect(decideRefreshDue(connected("2026-06-01T00:00:01Z"), now)).toEqual({ kind: "not-due", dueAt: "2026-06-01T00:00:01Z" });
  });

  it("needs consent while awaiting the first one", () => {
    expect(decideRefreshDue(ConnectionOutputs.encode({ status: "awaiting_consent" }), now)).toEqual({ kind: "needs-consent", reason: "nobody has consented to this connection yet" });
  });

  it("skips a retired connection", () => {
    expect(decideRefreshDue({ ...connected("2026-01-01T00:00:00Z"), retired: true }, now)).toEqual({ kind: "skip" });
  });
});
