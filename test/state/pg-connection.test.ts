import * as net from "node:net";
import { inspect } from "node:util";
import { openStateBackend } from "../../providers/state";
import { TEST_KEYRING, pgFixture, requirePgConnStr, type BackendFixture } from "./support/fixtures";

/**
 * The pg backend's connection comes from the environment it is opened with (hooks and tests inject
 * one): PG_CONN_STR, else libpq's PG* variables, never only those the pg library finds in process.env.
 */

const PG_VARIABLES = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"] as const;

/** The PG* variables naming the same server, role and database as PG_CONN_STR (only those it sets). */
function pgVariablesOf(connectionString: string): Record<string, string> {
  const url = new URL(connectionString);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || (url.searchParams.get("host") ?? "");
  const vars: Record<string, string> = {
    PGHOST: host,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, "")),
    PGSSLMODE: url.searchParams.get("sslmode") ?? "",
  };
  return Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== ""));
}

/** A local TCP port nobody listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `fn` with `vars` set in process.env, and puts every PG* variable back as it was afterwards. */
async function withProcessEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(PG_VARIABLES.map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

let fixture: BackendFixture;
let pgVars: Record<string, string>;

beforeAll(async () => {
  fixture = await pgFixture("pgconn");
  pgVars = pgVariablesOf(requirePgConnStr());
});
afterAll(async () => {
  await fixture.cleanup();
});

describe("the pg backend's connection from the injected environment", () => {
  it("opens, writes and reads a document with only the PG* variables, PG_CONN_STR absent", async () => {
    expect(Object.keys(pgVars)).toEqual(expect.arrayContaining(["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"]));
    const backend = await fixture.open({ env: { CDKTF_XERO_STATE_KEY: TEST_KEYRING, ...pgVars } });
    const written = await backend.write("vars/App", undefined, { tenant_id: "t-vars" });
    expect(await backend.read("vars/App")).toMatchObject({ serial: written.serial, values: { tenant_id: "t-vars" } });
    // The same server and schema PG_CONN_STR names, not some other database that happened to accept it.
    expect(JSON.parse((await fixture.getRaw("vars/App")) ?? "null")).toMatchObject({ outputs: { tenant_id: { value: "t-vars" } } });
  });

  it("uses the injected PG* variables over the same variables in process.env", async () => {
    const wrongPort = String(await closedPort());
    // Everything else right in process.env too, so only the port decides which of the two was used.
    const written = await withProcessEnv({ ...pgVars, PGPORT: wrongPort }, async () => {
      const backend = await fixture.open({ env: { CDKTF_XERO_STATE_KEY: TEST_KEYRING, ...pgVars } });
      return backend.write("precedence/App", undefined, { a: "1" });
    });
    expect(written).toMatchObject({ serial: 1 });
  });

  it("uses PG_CONN_STR over injected PG* variables when both are set", async () => {
    const backend = await fixture.open({
      env: { CDKTF_XERO_STATE_KEY: TEST_KEYRING, PG_CONN_STR: requirePgConnStr(), ...pgVars, PGPORT: String(await closedPort()) },
    });
    await expect(backend.write("connstr/App", undefined, { a: "1" })).resolves.toMatchObject({ serial: 1 });
  });

  it("applies an injected PGSSLMODE (require fails against a server without SSL)", async () => {
    const attempt = openStateBackend({ type: "pg", schema: "sslmode_required" }, { env: { ...pgVars, PGSSLMODE: "require" } });
    await expect(attempt).rejects.toMatchObject({
      code: "STATE_UNAVAILABLE",
      message: expect.stringContaining("The server does not support SSL connections"),
    });
  });

  it("fails with STATE_UNAVAILABLE when the PG* variables point nowhere, never printing PGPASSWORD", async () => {
    const password = "hunter2-pgpassword";
    const port = await closedPort();
    const error = (await openStateBackend(
      { type: "pg", schema: "unreachable_vars" },
      { env: { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "alice", PGPASSWORD: password, PGDATABASE: "db" } },
    ).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe("STATE_UNAVAILABLE");
    expect(error.message).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
    const seen = [error, error.cause].map((e) => `${String((e as Error).message)} ${JSON.stringify(e)} ${inspect(e, { depth: 5 })}`);
    for (const text of seen) expect(text).not.toContain(password);
  });

  it("rejects a PGPORT that is not a port with CONFIG_INVALID naming the variable and the fix", async () => {
    await expect(openStateBackend({ type: "pg", schema: "bad_port" }, { env: { ...pgVars, PGPORT: "54x2" } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `PGPORT is "54x2", which is not a TCP port. Set PGPORT to the PostgreSQL server's port (1-65535), or unset it to use 5432.`,
    });
  });

  it("rejects an unknown PGSSLMODE with CONFIG_INVALID rather than connecting without SSL", async () => {
    await expect(openStateBackend({ type: "pg", schema: "bad_sslmode" }, { env: { ...pgVars, PGSSLMODE: "requir" } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `PGSSLMODE is "requir", which is not an SSL mode. Set PGSSLMODE to one of disable, allow, prefer, require, verify-ca, verify-full, no-verify, or unset it.`,
    });
  });
});
