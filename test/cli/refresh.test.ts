import { ConnectionOutputs } from "../../contract/connection";
import { formatRfc3339 } from "../../providers/clock";
import { BACKEND_TYPES, CONNECTION_DOCUMENT, consentedConnection, DAY_S, project, tokenRequests, useTokenWorld, type Project } from "../tokens/support";
import { runCompiledCli } from "./run-cli";

/**
 * `cdktf-xero refresh --due` as a daily job runs it: the compiled CLI in a child process, which
 * reads the real clock; so a connection is made due by recording its consent 31 days back (the
 * library's suite, test/tokens/refresh-due.test.ts, moves the emulator's clock instead).
 */

const world = useTokenWorld();
const DAY_MS = DAY_S * 1000;

describe.each(BACKEND_TYPES)("cdktf-xero refresh --due on the %s backend", (type) => {
  let where: Project;
  beforeEach(async () => {
    where = await project(type);
  });
  afterEach(async () => {
    await where.cleanup();
  });

  const refresh = (args: string[], env: Record<string, string>) => runCompiledCli(["refresh", "--due", "--backend", where.backendFlag, ...args], { cwd: where.dir, env });

  it("refreshes a due connection, prints one line for it and exits 0", async () => {
    const connection = await consentedConnection(world, where, { storedAt: (now) => new Date(now.getTime() - 31 * DAY_MS) });
    await world.emulator.admin.clearRequests();
    const run = await refresh([], connection.env);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    const nextDueAt = ConnectionOutputs.decode(stored?.values).refreshDueAt;
    expect(run).toEqual({ code: 0, stdout: `cdktf-xero: ${CONNECTION_DOCUMENT}: refreshed; next due ${nextDueAt}\n`, stderr: "" });
    expect(await tokenRequests(world)).toEqual(["refresh_token"]);
  });

  it("says when a connection is due and exits 0 without refreshing it", async () => {
    const connection = await consentedConnection(world, where);
    await world.emulator.admin.clearRequests();
    const run = await refresh(["--json"], connection.env);
    const dueAt = formatRfc3339(new Date(connection.clock.now().getTime() + 30 * DAY_MS));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ document: CONNECTION_DOCUMENT, outcome: "not_due", dueAt });
    expect(await tokenRequests(world)).toEqual([]);
  });

  it("exits 1 naming the connect command for a connection that needs a new consent", async () => {
    const connection = await consentedConnection(world, where);
    const backend = await where.open();
    const stored = await backend.read(CONNECTION_DOCUMENT);
    await backend.write(CONNECTION_DOCUMENT, stored!.serial, {
      ...stored!.values,
      ...ConnectionOutputs.encode({ status: "needs_consent", needsConsentReason: "Xero refused the stored refresh token (invalid_grant)" }),
    });
    const run = await refresh([], connection.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `cdktf-xero: ${CONNECTION_DOCUMENT}: needs consent: Xero refused the stored refresh token (invalid_grant); run \`cdktf-xero connect ${CONNECTION_DOCUMENT} --backend ${where.backendFlag}\`\n`,
    );
  });
});

describe("cdktf-xero refresh flags", () => {
  it("exits 64 without --due, doing nothing", async () => {
    const where = await project("local");
    try {
      const run = await runCompiledCli(["refresh"], { cwd: where.dir, env: where.env });
      expect(run).toEqual({
        code: 64,
        stdout: "",
        stderr: "cdktf-xero: CONFIG_INVALID: refresh needs --due (refresh the connections whose keepAlive has passed); nothing was done. Example: cdktf-xero refresh --due\n",
      });
    } finally {
      await where.cleanup();
    }
  });
});
