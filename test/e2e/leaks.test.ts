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
import { freeLoopbackPort } from "../../scripts/free-loopback-port";
import { ConnectionSecretKeys, type OAuthConnectionSpec } from "../../contract/connection";
import { formatBackendAddress, localDocumentFile } from "../../contract/state-address";
import { systemClock } from "../../providers/clock";
import { storeConsent } from "../../providers/lifecycle/connection/consent-record";
import { documentTokenSetStore } from "../../providers/lifecycle/connection/token-set-store";
import { openStateBackend } from "../../providers/state";
import { vendAccessToken } from "../../providers/tokens/locked-refresh";
import { runConsentFlow } from "../../providers/xero/consent-flow";
import { XeroClient } from "../../providers/xero/client";
import { runCompiledCli } from "../cli/run-cli";
import { formBrowser } from "../xero/consent-browser";

const STACK = "leaks";
const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ];
const WEB_SCOPES = [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ];
/** Three base64url segments, the first a JSON header (`{"` encodes as `eyJ`): any JWT. */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
/** The consented connection's scopes: offline_access for a refresh token. */
const CONNECTION_SCOPES = ["offline_access", "accounting.invoices"];
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

/**
 * A consented connection's token set never leaves its sealed envelope: after a consent through the
 * emulator's consent page (stored with storeConsent, as `connect` stores it), a `token`-style vend of
 * the cached access token, a refresh through the locked path, and `cdktf-xero drift` twice (with the
 * cached token, and as of an hour later, when drift's own vend refreshes), no refresh or access token
 * the emulator issued appears in the state backend's files or rows, the document's history (which
 * holds keyed fingerprints only), the consent flow's printed lines, the Xero client's debug log, the
 * state backend's warnings, drift's output, or drift's argv.
 *
 * What a deployed `XeroOAuthConnection` adds (cdk.tf.json, a plan and the state as `terraform show
 * -json` prints them, the hooks' output, `connect`, `token`'s stderr, `refresh --due`, every file of
 * the project) is checked by the last test of test/e2e/connection.test.ts, which deploys one anyway.
 */
describe.each(documentBackends("e2e_leaks_connection"))("after a consent, a vend and refreshes with the %s backend", (_backendName, chooseBackend) => {
  let world: E2eWorld;
  let proxy: RecordingProxy;
  let address: StateBackendAddress;
  let document: string;
  let historyFingerprints: Array<Readonly<Record<string, string>> | undefined>;
  const haystacks: Haystack[] = [];
  const vended: string[] = [];

  beforeAll(async () => {
    world = await startWorld();
    proxy = await startRecordingProxy(world.emulator);
    address = chooseBackend(world.dir);
    const { userId } = await world.emulator.admin.createUser({ email: "ada.lovelace@example.com" });
    const { tenantId } = await world.emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    await world.emulator.admin.consent({ userId, tenantIds: [tenantId] });
    const redirectUris = [`http://localhost:${await freeLoopbackPort()}/callback`];
    const portal = await world.emulator.admin.createApp({ kind: "web", name: "Customer portal", scopes: [...CONNECTION_SCOPES], redirectUris });

    const pg = connectionStringWithPassword(process.env.PG_CONN_STR);
    const env: Record<string, string> = {
      ...world.env,
      XERO_LOGIN_URL: throughProxy(world.emulator.loginUrl, proxy),
      XERO_IDENTITY_URL: throughProxy(world.emulator.identityUrl, proxy),
      XERO_API_URL: throughProxy(world.emulator.apiUrl, proxy),
      PORTAL_CLIENT_SECRET: portal.clientSecret!,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 9).toString("base64"),
      PG_CONN_STR: pg.conn,
    };
    const logged: string[] = [];
    const logger = { debug: (message: string, fields?: Readonly<Record<string, unknown>>) => void logged.push(`${message} ${JSON.stringify(fields ?? {})}`) };
    const warnings: string[] = [];
    const backend = await openStateBackend(address, { env, cwd: world.dir, projectRoot: world.dir, logger: { warn: (message) => void warnings.push(message) } });
    try {
      const printed: string[] = [];
      const consent = await runConsentFlow({
        app: { clientId: portal.clientId, clientSecret: portal.clientSecret!, redirectUris },
        scopes: CONNECTION_SCOPES,
        openBrowser: formBrowser().open,
        output: (line) => void printed.push(line),
        client: { env, logger },
      });
      const spec: OAuthConnectionSpec = {
        version: 1, kind: "oauth_connection", document: `${STACK}/Ledger`, backend: address,
        app: { document: `${STACK}/Portal`, backend: address, appName: "Customer portal", appKind: "web", clientId: portal.clientId, clientSecret: { source: "env", name: "PORTAL_CLIENT_SECRET" }, redirectUris, scopes: [...CONNECTION_SCOPES] },
        tenants: [], scopes: [...CONNECTION_SCOPES], keepAliveSeconds: 30 * 86_400, onDestroy: "retain",
      };
      document = spec.document;
      await storeConsent(backend, spec, consent, systemClock.now());
      const client = new XeroClient({ clientId: portal.clientId, clientSecret: portal.clientSecret!, env, logger });
      const store = documentTokenSetStore(backend, document);
      const grant = { refresh: (refreshToken: string) => client.refresh(refreshToken) };
      // As `cdktf-xero token` vends: the cached access token; then the refresh `refresh --due` makes.
      vended.push((await vendAccessToken(store, grant, { clock: systemClock })).accessToken);
      vended.push((await vendAccessToken(store, grant, { clock: systemClock, forceRefresh: true })).accessToken);

      const driftArgv = ["drift", "--backend", formatBackendAddress(address), "--json"];
      const hourLater = new Date(systemClock.now().getTime() + 3_600_000).toISOString();
      const driftNow = await runCompiledCli(driftArgv, { cwd: world.dir, env });
      const driftLater = await runCompiledCli([...driftArgv, "--as-of", hourLater], { cwd: world.dir, env });
      if (driftNow.code !== 0 || driftLater.code !== 0) throw new Error(`drift failed:\n${driftNow.stdout}${driftNow.stderr}\n${driftLater.stdout}${driftLater.stderr}`);

      const history = await backend.history(document);
      historyFingerprints = history.map((entry) => entry.secretFingerprints);
      haystacks.push(
        { where: "the consent flow's printed lines", text: printed.join("\n") },
        { where: "the Xero client's debug log", text: logged.join("\n") },
        { where: "the state backend's warnings", text: warnings.join("\n") },
        { where: "drift's output", text: `${driftNow.stdout}\n${driftNow.stderr}` },
        { where: "drift's output as of an hour later (its own refresh)", text: `${driftLater.stdout}\n${driftLater.stderr}` },
        { where: "drift's argv", text: JSON.stringify([driftArgv, hourLater]) },
        { where: `the history of ${document}`, text: JSON.stringify(history) },
        ...filesUnder(world.dir, { includeTerraformDir: true }).map((file) => ({ where: file.slice(world.dir.length + 1), text: readFileSync(file, "utf8") })),
      );
      if (address.type === "pg") haystacks.push({ where: `the tables of pg schema ${address.schema}`, text: JSON.stringify(await readSchemaRows(address.schema)) });
    } finally {
      await backend.close();
    }
  });

  afterAll(async () => {
    await proxy?.close();
    await world?.close();
  });

  test("the emulator issued the tokens the checks look for: the consent's set and at least two refreshes", () => {
    expect([proxy.tokens.refresh_token.length >= 3, proxy.tokens.access_token.length >= 3, vended.every((token) => proxy.tokens.access_token.includes(token))]).toEqual([true, true, true]);
  });

  test("the haystacks hold the state backend's document and drift's report of the connection", () => {
    const where = haystacks.map((haystack) => haystack.where);
    if (address.type === "local") expect(where).toContain(join("state", localDocumentFile(document)));
    expect(haystacks.find((haystack) => haystack.where === "drift's output")?.text).toContain(`"resource":"${document}"`);
  });

  test("no refresh, access or ID token the emulator issued appears in any of them", () => {
    const issued = Object.fromEntries(
      TOKEN_FIELDS.flatMap((field) => proxy.tokens[field].map((token, index) => [`${field} #${index + 1} the emulator issued`, token])),
    );
    expect(findLeaks(haystacks, issued)).toEqual([]);
  });

  test("no JWT-shaped string appears in any of them", () => {
    expect(haystacks.filter(({ text }) => JWT_PATTERN.test(text)).map(({ where }) => where)).toEqual([]);
  });

  test("the document's history holds keyed fingerprints of the tokens, never the tokens", () => {
    const tokens = new Set([...proxy.tokens.refresh_token, ...proxy.tokens.access_token]);
    const entries = historyFingerprints.filter((fingerprints) => fingerprints?.[ConnectionSecretKeys.refreshToken] !== undefined);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const values = entries.flatMap((fingerprints) => Object.values(fingerprints ?? {}));
    expect(values.filter((value) => tokens.has(value))).toEqual([]);
    // One fingerprint per refresh token the document held: the consent's and each refresh's.
    expect(new Set(entries.map((fingerprints) => fingerprints?.[ConnectionSecretKeys.refreshToken])).size).toBeGreaterThanOrEqual(3);
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
