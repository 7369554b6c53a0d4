import { ConnectionOutputs } from "../../contract/connection";
import {
  BACKEND_TYPES,
  CONNECTION_DOCUMENT,
  consentedConnection,
  declaredConnection,
  ORGANISATIONS,
  project,
  tokenRequests,
  useTokenWorld,
  type Project,
} from "../tokens/support";
import { runCompiledCli } from "./run-cli";

/** `cdktf-xero token` as consumers run it: the compiled CLI in a child process, against the emulator. Needs `npm run build`. */

const world = useTokenWorld();

describe.each(BACKEND_TYPES)("cdktf-xero token on the %s backend", (type) => {
  let where: Project;
  beforeEach(async () => {
    where = await project(type);
  });
  afterEach(async () => {
    await where.cleanup();
  });

  const token = (args: string[], env: Record<string, string>) =>
    runCompiledCli(["token", CONNECTION_DOCUMENT, "--backend", where.backendFlag, ...args], { cwd: where.dir, env });

  async function cachedToken(): Promise<string> {
    const backend = await where.open();
    const stored = await backend.read(CONNECTION_DOCUMENT);
    return (await backend.openSecrets(stored!))["access_token"] ?? "";
  }

  it("prints only the cached access token on stdout and exits 0, with no token request", async () => {
    const connection = await consentedConnection(world, where);
    await world.emulator.admin.clearRequests();
    const run = await token([], connection.env);
    expect(run).toEqual({ code: 0, stdout: `${await cachedToken()}\n`, stderr: "" });
    expect(await tokenRequests(world)).toEqual([]);
  });

  it("prints an Authorization header with --format header", async () => {
    const connection = await consentedConnection(world, where);
    const run = await token(["--format", "header"], connection.env);
    expect(run.stdout).toBe(`Authorization: Bearer ${await cachedToken()}\n`);
  });

  it("prints the token, its expiry and the chosen tenant as JSON with --format json", async () => {
    const connection = await consentedConnection(world, where);
    const run = await token(["--format", "json", "--tenant", ORGANISATIONS[1]], connection.env);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    expect(JSON.parse(run.stdout)).toEqual({
      accessToken: await cachedToken(),
      expiresAt: new Date(String(stored?.values[ConnectionOutputs.names.accessTokenExpiresAt])).toISOString(),
      tenantId: world.tenantIds[1],
      tenantName: ORGANISATIONS[1],
    });
  });

  it("exits 1 with the connect command on stderr and nothing on stdout before anyone consented", async () => {
    const connection = await declaredConnection(world, where);
    const backend = await where.open();
    await backend.write(CONNECTION_DOCUMENT, undefined, { generation: 0, ...ConnectionOutputs.encode({ status: "awaiting_consent" }) });
    const run = await token([], connection.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`cdktf-xero: CONNECTION_NOT_CONSENTED: state document "${CONNECTION_DOCUMENT}" holds no token set yet`);
    expect(run.stderr).toContain(`Run \`cdktf-xero connect ${CONNECTION_DOCUMENT} --backend ${where.backendFlag}\``);
  });

  it("exits 1 naming the tenants the consent covers for one it does not", async () => {
    const connection = await consentedConnection(world, where);
    const run = await token(["--tenant", "Another Org"], connection.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^cdktf-xero: TENANT_NOT_CONNECTED: .*it covers: "Demo Company \(NZ\)" \(/);
  });
});

describe("cdktf-xero token flags", () => {
  it("exits 64 for a format it does not know, doing nothing", async () => {
    const where = await project("local");
    try {
      const run = await runCompiledCli(["token", CONNECTION_DOCUMENT, "--format", "yaml"], { cwd: where.dir, env: where.env });
      expect(run).toEqual({
        code: 64,
        stdout: "",
        stderr: 'cdktf-xero: CONFIG_INVALID: --format must be one of raw, header, json, got "yaml"; nothing was done\n',
      });
    } finally {
      await where.cleanup();
    }
  });

  it("exits 1 when the backend does not exist, creating nothing", async () => {
    const where = await project("local");
    try {
      const run = await runCompiledCli(["token", CONNECTION_DOCUMENT, "--backend", "local:nowhere"], { cwd: where.dir, env: where.env });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^cdktf-xero: STATE_BACKEND_NOT_FOUND: /);
    } finally {
      await where.cleanup();
    }
  });
});
