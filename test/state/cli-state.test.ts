import { existsSync } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { Command } from "commander";
import { registerStateCommand } from "../../cli/commands/state";
import { formatBackendAddress } from "../../contract/state-address";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { TEST_KEY_A, TEST_KEY_B, TEST_KEYRING, fixtureFor, type BackendFixture } from "./support/fixtures";

describe.each(["local", "pg"] as const)("cdktf-xero state (%s)", (kind) => {
  let fixture: BackendFixture;
  let backend: StateBackend;
  let backendFlag: string;

  beforeAll(async () => {
    fixture = await fixtureFor(kind, "cli");
    backend = await fixture.open();
    backendFlag = formatBackendAddress(fixture.address);
    await backend.write("billing/App", undefined, {
      tenant_id: "t-1",
      scopes: ["offline_access"],
      secrets: await backend.sealSecrets("billing/App", { client_secret: "cs-top-secret" }),
    });
    await backend.write("billing/Plain", undefined, { tenant_id: "t-2" });
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  /** Runs the command as the CLI would; resolves to what it printed. */
  async function cli(args: readonly string[], env: Record<string, string> = fixture.env): Promise<string> {
    let printed = "";
    const program = new Command("cdktf-xero").exitOverride();
    registerStateCommand(program, { write: (text) => (printed += text), env, cwd: fixture.cwd });
    await program.parseAsync(["state", ...args, "--backend", backendFlag], { from: "user" });
    return printed;
  }

  it("lists documents with their serials under column headers", async () => {
    expect(await cli(["list"])).toBe("DOCUMENT       SERIAL  STATUS\nbilling/App    1\nbilling/Plain  1\n");
    expect(JSON.parse(await cli(["list", "--json"]))).toEqual([
      { name: "billing/App", serial: 1, retired: false },
      { name: "billing/Plain", serial: 1, retired: false },
    ]);
  });

  it("shows a document with its secrets as (sensitive)", async () => {
    const text = await cli(["show", "billing/App"]);
    expect(text).toMatch(
      new RegExp(
        `^billing/App \\(${kind === "local" ? "local:/\\S+" : "pg:\\w+"}\\)\\nserial   1\\nlineage  [0-9a-f-]{36}\\noutputs:\\n  scopes = \\["offline_access"\\]\\n  secrets = \\(sensitive\\)\\n  tenant_id = "t-1"\\n$`,
      ),
    );
    expect(JSON.parse(await cli(["show", "billing/App", "--json"]))).toMatchObject({
      name: "billing/App",
      serial: 1,
      retired: false,
      outputs: { tenant_id: "t-1", scopes: ["offline_access"], secrets: "(sensitive)" },
    });
  });

  it("reveals decrypted secrets only with --reveal", async () => {
    expect(await cli(["show", "billing/App", "--reveal"])).toContain('  secrets:\n    client_secret = "cs-top-secret"\n');
    expect(JSON.parse(await cli(["show", "billing/App", "--reveal", "--json"])).outputs.secrets).toEqual({ client_secret: "cs-top-secret" });
  });

  it("fails with STATE_NOT_FOUND for a document that does not exist", async () => {
    await expect(cli(["show", "billing/Nope"])).rejects.toMatchObject({
      code: "STATE_NOT_FOUND",
      message: `state document "billing/Nope" does not exist in ${backend.label}. Run \`cdktf-xero state list --backend ${backend.label}\` to see the documents it holds.`,
    });
  });

  it("refuses a document name too long for a file name with CONFIG_INVALID, naming the limit and the length", async () => {
    const name = `billing/${"x".repeat(300)}`;
    await expect(cli(["show", name])).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message:
        `invalid state document name: document name segment "${"x".repeat(40)}…" is 300 characters long; the limit is 200 per ` +
        "segment (a segment is a file name, and file systems allow 255 bytes)",
    });
  });

  it("prints history under column headers with fingerprints and never a secret value", async () => {
    const text = await cli(["history", "billing/App"]);
    expect(text).toMatch(
      /^AT {20,}ACTION {2}SERIALS {2}BY {10,}SECRET FINGERPRINTS\n\S+T\S+Z {2}create {2}- -> 1 {3}alice@build-1 pid \d+ {2}client_secret=hmac-sha256:a:[0-9a-f]{32}\n$/,
    );
    const json = JSON.parse(await cli(["history", "billing/App", "--json"])) as unknown[];
    expect(json).toHaveLength(1);
    expect(JSON.stringify(json)).not.toContain("cs-top-secret");
  });

  it("refuses a --backend that is neither local:<dir> nor pg:<schema>", async () => {
    const program = new Command("cdktf-xero").exitOverride();
    registerStateCommand(program, { write: () => undefined, env: fixture.env, cwd: fixture.cwd });
    await expect(program.parseAsync(["state", "list", "--backend", "s3:bucket"], { from: "user" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: "--backend must be local:<dir> or pg:<schema> (schema: lower-case letters, digits, _), got s3:bucket",
    });
  });

  it("rekeys every envelope to the first key of the keyring, leaving documents without secrets alone", async () => {
    const rotated = { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B},a:${TEST_KEY_A}` };
    expect(JSON.parse(await cli(["rekey", "--json"], rotated))).toEqual({
      rekeyed: [{ document: "billing/App", fromKid: "a", toKid: "b" }],
      unchanged: ["billing/Plain"],
      failed: [],
    });
    expect(await cli(["rekey"], rotated)).toBe("unchanged  billing/App\nunchanged  billing/Plain\n");
    const onlyNew = { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B}` };
    expect(JSON.parse(await cli(["show", "billing/App", "--reveal", "--json"], onlyNew)).outputs.secrets).toEqual({
      client_secret: "cs-top-secret",
    });
    expect(JSON.parse(await cli(["history", "billing/App", "--json"], onlyNew))).toMatchObject([
      { action: "create", serialAfter: 1 },
      { action: "rekey", serialBefore: 1, serialAfter: 2 },
    ]);
    // Put it back for the other tests' expectations.
    await cli(["rekey"], { ...fixture.env, CDKTF_XERO_STATE_KEY: `${TEST_KEYRING},b:${TEST_KEY_B}` });
  });

  it("reports the documents it could not rekey and fails with STATE_REKEY_INCOMPLETE", async () => {
    const unknownOld = { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B}` };
    let printed = "";
    const program = new Command("cdktf-xero").exitOverride();
    registerStateCommand(program, { write: (text) => (printed += text), env: unknownOld, cwd: fixture.cwd });
    await expect(program.parseAsync(["state", "rekey", "--backend", backendFlag], { from: "user" })).rejects.toMatchObject({
      code: "STATE_REKEY_INCOMPLETE",
      message:
        'could not re-encrypt 1 state document(s): "billing/App" (STATE_UNKNOWN_KID). Fix each as its error says (often: add the old key to the keyring after the new one), then run `cdktf-xero state rekey` again; documents already re-encrypted are left as they are.',
    });
    expect(printed).toMatch(/^failed {5}billing\/App {2}STATE_UNKNOWN_KID: .*\nunchanged  billing\/Plain\n$|^unchanged  billing\/Plain\nfailed {5}billing\/App {2}STATE_UNKNOWN_KID: /);
  });
});

describe.each(["local", "pg"] as const)("cdktf-xero state on a %s backend that does not exist", (kind) => {
  let fixture: BackendFixture;
  let missing: string;
  let missingFlag: string;

  beforeAll(async () => {
    fixture = await fixtureFor(kind, "cli_missing");
    missing = kind === "local" ? path.join(fixture.cwd, "nope") : `cli_nope_${randomBytes(4).toString("hex")}`;
    missingFlag = kind === "local" ? `local:${missing}` : `pg:${missing}`;
  });
  afterAll(async () => {
    if (kind === "pg") await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${missing}" CASCADE`));
    await fixture.cleanup();
  });

  async function withPg<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: fixture.env["PG_CONN_STR"] });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  async function exists(): Promise<boolean> {
    if (kind === "local") return existsSync(missing);
    return withPg(async (client) => (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [missing])).rowCount === 1);
  }

  function cli(args: readonly string[], write: (text: string) => void = () => undefined): Promise<unknown> {
    const program = new Command("cdktf-xero").exitOverride();
    registerStateCommand(program, { write, env: fixture.env, cwd: fixture.cwd });
    return program.parseAsync(["state", ...args, "--backend", missingFlag], { from: "user" });
  }

  const notFound = (): string =>
    kind === "local"
      ? `state backend ${missingFlag} does not exist: there is no directory ${missing}. Check the directory in --backend (a ` +
        `relative one resolves against ${fixture.cwd}); the hooks create it on a deploy's first write; nothing was created.`
      : `state backend ${missingFlag} does not exist: the database has no schema "${missing}". Check the schema name in ` +
        `--backend (a deploy's hooks create it, and so does \`cdktf-xero state init --backend ${missingFlag}\`); nothing was created.`;

  it.each([["list"], ["show", "billing/App"], ["history", "billing/App"], ["rekey"]])(
    "state %s fails with STATE_BACKEND_NOT_FOUND naming it, and creates nothing",
    async (...args) => {
      await expect(cli(args)).rejects.toMatchObject({ code: "STATE_BACKEND_NOT_FOUND", message: notFound() });
      expect(await exists()).toBe(false);
    },
  );

  it("state init creates it, after which state list finds no documents", async () => {
    let printed = "";
    await cli(["init"], (text) => (printed += text));
    expect(await exists()).toBe(true);
    await cli(["list"], (text) => (printed += text));
    expect(printed).toMatch(/^state backend (local:\/\S+|pg:cli_nope_[0-9a-f]{8}) is ready\nno documents\n$/);
  });
});

describe("cdktf-xero state --backend with a schema PostgreSQL owns", () => {
  it.each(["public", "information_schema", "pg_catalog", "pg_temp"])("refuses pg:%s with CONFIG_INVALID before connecting", async (schema) => {
    const program = new Command("cdktf-xero").exitOverride();
    // No PG_CONN_STR: the refusal comes before any connection.
    registerStateCommand(program, { write: () => undefined, env: {}, cwd: "/nonexistent" });
    await expect(program.parseAsync(["state", "list", "--backend", `pg:${schema}`], { from: "user" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message:
        `--backend: pg schema "${schema}" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything ` +
        "else in the database): give the credential state a schema of its own, e.g. cdktf_xero",
    });
  });
});

describe("openStateBackend (what the hooks use) with a schema PostgreSQL owns", () => {
  it("refuses pg:public with CONFIG_INVALID before connecting", async () => {
    await expect(openStateBackend({ type: "pg", schema: "public" }, { env: {}, cwd: "/nonexistent" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message:
        'pg schema "public" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything else in the ' +
        "database): give the credential state a schema of its own, e.g. cdktf_xero",
    });
  });
});
