/**
 * The pg backend with the least a team's database role needs: CONNECT and CREATE on a database of
 * its own, nothing on the `public` schema (PostgreSQL 15's default). Terraform's reads of the
 * credential documents must then do no DDL at all: on a fresh database Terraform's pg backend would
 * otherwise create `public.global_states_id_seq` (refused for this role), and concurrent reads race
 * on `CREATE ... IF NOT EXISTS` (PostgreSQL's IF NOT EXISTS is not safe under concurrency).
 */
import { randomBytes } from "node:crypto";
import { TerraformOutput } from "cdktf";
import { Client } from "pg";
import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret, XeroState } from "../../index";
import { deploy, outputs, plannedReplacements, requirePostgres, startWorld, synthesize, type E2eWorld } from "./support";

const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ];
const SUFFIX = `${process.pid}_${Date.now() % 100000}`;
const DATABASE = `xero_rights_${SUFFIX}`;
const ROLE = `xero_deployer_${SUFFIX}`;
const LINKS = 6;
const PASSWORD = randomBytes(12).toString("hex");

/** A connection string for `database` (as `role`, with its password), on the server PG_CONN_STR names. */
function connectionString(base: string, database: string, role?: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  if (role !== undefined) {
    url.username = role;
    url.password = PASSWORD;
  }
  return url.toString();
}

async function asAdmin<T>(database: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: connectionString(requirePostgres(), database) });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe("the pg backend with a role that owns nothing but its own schema", () => {
  let world: E2eWorld;
  let env: Record<string, string>;
  let stackDir: string;
  const tenants: string[] = [];

  beforeAll(async () => {
    const adminDatabase = new URL(requirePostgres()).pathname.slice(1) || "postgres";
    await asAdmin(adminDatabase, async (client) => {
      await client.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
      await client.query(`CREATE DATABASE ${DATABASE}`);
      await client.query(`GRANT CONNECT, CREATE ON DATABASE ${DATABASE} TO ${ROLE}`);
    });
    // PostgreSQL 15's default, made explicit for older servers where everyone may create in public.
    await asAdmin(DATABASE, (client) => client.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC"));

    world = await startWorld();
    const state = XeroState.postgres({ schema: "xero_credentials" });
    const apps: { clientId: string; clientSecret: string }[] = [];
    for (let i = 0; i < LINKS; i++) {
      const app = await world.emulator.admin.createApp({ kind: "custom_connection", name: `Sync ${i}`, scopes: [...SCOPES] });
      const { tenantId } = await world.emulator.admin.createOrg({ name: `Org ${i}` });
      await world.emulator.admin.link(app.clientId, tenantId);
      apps.push({ clientId: app.clientId, clientSecret: app.clientSecret! });
      tenants.push(tenantId);
    }
    stackDir = synthesize(world.dir, "rights", (stack) => {
      apps.forEach(({ clientId }, i) => {
        const app = new XeroAppRegistration(stack, `Sync${i}`, {
          kind: XeroAppKind.CUSTOM_CONNECTION,
          appName: `Sync ${i}`,
          clientId,
          clientSecret: XeroSecret.fromEnv(`SYNC_${i}_SECRET`),
          scopes: SCOPES,
          state,
        });
        const link = new XeroCustomConnection(stack, `Link${i}`, { app, expectedTenantId: tenants[i]!, state });
        new TerraformOutput(stack, `tenant_${i}`, { value: link.tenantId });
      });
    });
    env = {
      ...world.env,
      ...Object.fromEntries(apps.map(({ clientSecret }, i) => [`SYNC_${i}_SECRET`, clientSecret])),
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 9).toString("base64"),
      PG_CONN_STR: connectionString(requirePostgres(), DATABASE, ROLE),
    };
  });

  afterAll(async () => {
    await world?.close();
    const adminDatabase = new URL(requirePostgres()).pathname.slice(1) || "postgres";
    await asAdmin(adminDatabase, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${ROLE}`);
    });
  });

  test("the role may not create in the public schema, so any DDL Terraform tried there would fail", async () => {
    const allowed = await asAdmin(DATABASE, async (client) =>
      (await client.query<{ allowed: boolean }>("SELECT has_schema_privilege($1, 'public', 'CREATE') AS allowed", [ROLE])).rows[0]!.allowed,
    );
    expect(allowed).toBe(false);
  });

  test(`a first deploy of ${LINKS} links, whose documents Terraform reads in parallel, succeeds`, async () => {
    const applied = await deploy(stackDir, env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const values = await outputs(stackDir, env);
    expect(tenants.map((_, i) => values[`tenant_${i}`])).toEqual(tenants);
  });

  test("Terraform created nothing: the database holds exactly what cdktf-xero's own backend creates in a schema", async () => {
    const { openStateBackend } = await import("../../providers/state");
    const reference = await openStateBackend(
      { type: "pg", schema: "made_by_cdktf_xero_alone" },
      { env: { PG_CONN_STR: env.PG_CONN_STR, CDKTF_XERO_STATE_KEY: env.CDKTF_XERO_STATE_KEY } },
    );
    await reference.close();
    const relations = (schema: string): Promise<string[]> =>
      asAdmin(DATABASE, async (client) =>
        (
          await client.query<{ name: string }>(
            `SELECT c.relkind::text || ' ' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 ORDER BY 1`,
            [schema],
          )
        ).rows.map((row) => row.name),
      );
    expect(await relations("public")).toEqual([]);
    expect(await relations("xero_credentials")).toEqual(await relations("made_by_cdktf_xero_alone"));
  });

  test("the plan after the first deploy is clean", async () => {
    expect(await plannedReplacements(stackDir, env)).toEqual({ exitCode: 0, replaced: [] });
  });
});
