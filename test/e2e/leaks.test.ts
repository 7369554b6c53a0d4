/**
 * Nothing secret leaves a deploy: after `terraform apply` of a Custom Connection (client_credentials
 * tokens, GET /connections with them) and a Web app (the invalid-code probe) through real Terraform,
 * no client secret, state key, token the emulator issued, JWT-shaped string or PostgreSQL password
 * appears in cdktf.out, any Terraform or document file, `terraform show -json` of a plan or of the
 * state, the hooks' output, or the PostgreSQL rows.
 *
 * The emulator's request log is redacted, so the tokens are captured on the wire: the hooks talk to
 * the emulator through a recording proxy on loopback that keeps every token a token response carried.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { TerraformOutput } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret, XeroState } from "../../index";
import type { RunningEmulator } from "../../emulator";
import type { StateBackendAddress } from "../../contract/state-address";
import { deploy, documentBackends, filesUnder, requirePostgres, startWorld, synthesize, terraform, type E2eWorld } from "./support";

const STACK = "leaks";
const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ];
const WEB_SCOPES = [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ];
/** Three base64url segments, the first a JSON header (`{"` encodes as `eyJ`): any JWT. */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
/** Fields of a token response that hold tokens. */
const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token"] as const;

/**
 * PG_CONN_STR with a password, so there is one whose absence can be checked: the configured one, or
 * a random one added (trust authentication on loopback, as in CI, ignores it). Without PostgreSQL
 * (local backend) an unused connection string: the hooks and Terraform inherit it all the same.
 */
function connectionStringWithPassword(conn: string | undefined): { conn: string; password: string } {
  const url = new URL(conn === undefined || conn === "" ? "postgres://cdktf@127.0.0.1:9/unused" : conn);
  if (url.password === "") url.password = `pw-${randomBytes(12).toString("hex")}`;
  return { conn: url.toString(), password: decodeURIComponent(url.password) };
}

interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: the emulator's origin as the hooks see it. */
  readonly origin: string;
  /** Every token a token response carried, by field. */
  readonly tokens: Record<(typeof TOKEN_FIELDS)[number], string[]>;
  close(): Promise<void>;
}

/** Forwards every request to the emulator unchanged and records the tokens in its answers. */
async function startRecordingProxy(emulator: RunningEmulator): Promise<RecordingProxy> {
  const target = new URL(emulator.identityUrl);
  const tokens: RecordingProxy["tokens"] = { access_token: [], refresh_token: [], id_token: [] };
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on("data", (chunk: Buffer) => body.push(chunk));
    req.on("end", () => {
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => {
            const answered = Buffer.concat(chunks);
            recordTokens(answered.toString("utf8"), tokens);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(answered);
          });
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokens,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function recordTokens(text: string, tokens: RecordingProxy["tokens"]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (parsed === null || typeof parsed !== "object") return;
  for (const field of TOKEN_FIELDS) {
    const value = (parsed as Record<string, unknown>)[field];
    if (typeof value === "string" && value !== "") tokens[field].push(value);
  }
}

/** The same URL with the proxy's origin. */
function throughProxy(url: string, proxy: RecordingProxy): string {
  const parsed = new URL(url);
  return `${proxy.origin}${parsed.pathname}${parsed.search}`;
}

interface Haystack {
  readonly where: string;
  readonly text: string;
}

/** `where: what` for every needle found; needles are named, so a failure never prints a secret. */
function findLeaks(haystacks: readonly Haystack[], needles: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const { where, text } of haystacks) {
    for (const [what, needle] of Object.entries(needles)) if (text.includes(needle)) found.push(`${where}: ${what}`);
  }
  return found;
}

describe.each(documentBackends("e2e_leaks"))("after a deploy with the %s backend", (_backendName, chooseBackend) => {
  let world: E2eWorld;
  let proxy: RecordingProxy;
  let address: StateBackendAddress;
  let secrets: Record<string, string>;
  let pgPassword: string;
  const haystacks: Haystack[] = [];

  beforeAll(async () => {
    world = await startWorld();
    proxy = await startRecordingProxy(world.emulator);
    address = chooseBackend(world.dir);
    const state = address.type === "local" ? XeroState.local(address.dir) : XeroState.postgres({ schema: address.schema });

    const sync = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Nightly sync", scopes: [...SCOPES] });
    const portal = await world.emulator.admin.createApp({
      kind: "web",
      name: "Customer portal",
      scopes: [...WEB_SCOPES],
      redirectUris: ["https://portal.example.com/xero/callback"],
    });
    const { tenantId } = await world.emulator.admin.createOrg({ name: "Demo Company (AU)" });
    await world.emulator.admin.link(sync.clientId, tenantId);

    const pg = connectionStringWithPassword(process.env.PG_CONN_STR);
    pgPassword = pg.password;
    secrets = {
      "the Custom Connection's client secret": sync.clientSecret!,
      "the Web app's client secret": portal.clientSecret!,
      "the state key": Buffer.alloc(32, 9).toString("base64"),
    };
    const env: Record<string, string> = {
      ...world.env,
      XERO_LOGIN_URL: throughProxy(world.emulator.loginUrl, proxy),
      XERO_IDENTITY_URL: throughProxy(world.emulator.identityUrl, proxy),
      XERO_API_URL: throughProxy(world.emulator.apiUrl, proxy),
      SYNC_CLIENT_SECRET: sync.clientSecret!,
      PORTAL_CLIENT_SECRET: portal.clientSecret!,
      CDKTF_XERO_STATE_KEY: secrets["the state key"]!,
      PG_CONN_STR: pg.conn,
    };

    const stackDir = synthesize(world.dir, STACK, (stack) => {
      const app = new XeroAppRegistration(stack, "Sync", {
        kind: XeroAppKind.CUSTOM_CONNECTION,
        appName: "Nightly sync",
        clientId: sync.clientId,
        clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
        scopes: SCOPES,
        state,
      });
      const link = new XeroCustomConnection(stack, "SyncLink", { app, expectedTenantId: tenantId, state });
      new XeroAppRegistration(stack, "Portal", {
        kind: XeroAppKind.WEB,
        appName: "Customer portal",
        clientId: portal.clientId,
        clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
        redirectUris: ["https://portal.example.com/xero/callback"],
        scopes: WEB_SCOPES,
        state,
      });
      new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
      new TerraformOutput(stack, "jdbc_url", { value: app.jdbcUrl });
    });

    const applied = await deploy(stackDir, env);
    if (applied.code !== 0) throw new Error(`terraform apply failed:\n${applied.stdout}\n${applied.stderr}`);
    const planned = await terraform(stackDir, ["plan", "-out=leaks.tfplan"], env);
    if (planned.code !== 0) throw new Error(`terraform plan failed:\n${planned.stdout}\n${planned.stderr}`);
    const plan = await terraform(stackDir, ["show", "-json", "leaks.tfplan"], env);
    const shownState = await terraform(stackDir, ["show", "-json"], env);

    haystacks.push(
      { where: "terraform apply output (with the hooks' output)", text: `${applied.stdout}\n${applied.stderr}` },
      { where: "terraform plan output", text: `${planned.stdout}\n${planned.stderr}` },
      { where: "terraform show -json of the plan", text: plan.stdout },
      { where: "terraform show -json of the state", text: shownState.stdout },
      ...filesUnder(world.dir, { includeTerraformDir: true }).map((file) => ({ where: file.slice(world.dir.length + 1), text: readFileSync(file, "utf8") })),
    );
    if (address.type === "pg") haystacks.push({ where: `the tables of pg schema ${address.schema}`, text: JSON.stringify(await readSchemaRows(address.schema)) });
  });

  afterAll(async () => {
    await proxy?.close();
    await world?.close();
  });

  test("the hooks received access tokens from the emulator, which the checks below look for", () => {
    expect(proxy.tokens.access_token.length).toBeGreaterThanOrEqual(2);
  });

  test("the artefacts hold the stack: cdk.tf.json, Terraform state, the plan and the hooks' lines", () => {
    const where = haystacks.map((haystack) => haystack.where);
    expect(where).toEqual(expect.arrayContaining([join("cdktf.out", "stacks", STACK, "cdk.tf.json"), `terraform.${STACK}.tfstate`]));
    expect(haystacks[0]!.text).toContain("is linked to");
  });

  test("no client secret or state key appears in any of them", () => {
    expect(findLeaks(haystacks, secrets)).toEqual([]);
  });

  test("no access, refresh or ID token the emulator issued appears in any of them", () => {
    const issued = Object.fromEntries(
      TOKEN_FIELDS.flatMap((field) => proxy.tokens[field].map((token, index) => [`${field} #${index + 1} the emulator issued`, token])),
    );
    expect(findLeaks(haystacks, issued)).toEqual([]);
  });

  test("no JWT-shaped string appears in any of them", () => {
    expect(haystacks.filter(({ text }) => JWT_PATTERN.test(text)).map(({ where }) => where)).toEqual([]);
  });

  test("the password of PG_CONN_STR, which the hooks and Terraform inherit, appears in none of them", () => {
    expect(findLeaks(haystacks, { "the password of PG_CONN_STR": pgPassword })).toEqual([]);
  });
});

/** Every row of every table in the schema (documents, history, migrations), as stored. */
async function readSchemaRows(schema: string): Promise<Record<string, unknown[]>> {
  const { Client } = await import("pg");
  const client = new Client({ connectionString: requirePostgres() });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 order by table_name",
      [schema],
    );
    const rows: Record<string, unknown[]> = {};
    for (const { table_name: table } of tables.rows) {
      rows[table] = (await client.query(`select * from "${schema}"."${table.replace(/"/g, '""')}"`)).rows;
    }
    return rows;
  } finally {
    await client.end();
  }
}
