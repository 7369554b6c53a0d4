/**
 * A consented connection end to end, through the real Terraform binary on each backend: declared,
 * the first deploy fails with the exact `cdktf-xero connect` command, which a person runs as printed
 * and consents on the emulator's consent page; once the consent is older than keepAlive the plan's
 * check warns and the deploy refreshes it, verifies and records it, and Terraform reads the
 * attributes back; `cdktf-xero token` hands consumers a token Xero accepts; an organisation
 * disconnected in Xero makes the next run of the hook fail listing both sides; destroy revokes.
 * No token the connection held appears in any file, plan, state or output along the way.
 * The steps of one backend build on each other, as a team would take them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformOutput, type TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroConnectionOnDestroy, XeroOAuthConnection, XeroScopes, XeroSecret, XeroState } from "../../index";
import { ConnectionSecretKeys, type OAuthConnectionSpec } from "../../contract/connection";
import type { StateBackendAddress } from "../../contract/state-address";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { documentTokenSetStore } from "../../providers/lifecycle/connection/token-set-store";
import { startCli } from "../cli/interactive-cli";
import { runCompiledCli } from "../cli/run-cli";
import { disconnectInEmulator, freeLoopbackRedirectUri, signInToEmulator } from "../support/consent";
import { formBrowser } from "../xero/consent-browser";
import { deploy, documentBackends, outputs, startWorld, synthesize, terraform, unwrapped, type E2eWorld } from "./support";

const STACK = "conn";
const DOCUMENT = `${STACK}/Books`;
const APP_SCOPES = ["openid", "offline_access", "accounting.invoices"];
const STATE_KEY = Buffer.alloc(32, 12).toString("base64");
const DAY_MS = 86_400_000;

describe.each(documentBackends("e2e_conn"))("a consented connection deployed through Terraform with the %s backend", (_backendName, chooseBackend) => {
  let world: E2eWorld;
  let address: StateBackendAddress;
  let env: Record<string, string>;
  let stackDir: string;
  let clientId: string;
  let clientSecret: string;
  let tenants: { nz: string; practice: string };
  let spec: OAuthConnectionSpec;
  let backendFlag: string;
  let consented: { refreshToken: string; accessToken: string };
  let redirectUri: string;
  let accessToken: string;

  const withBackend = async <T>(use: (backend: StateBackend) => Promise<T>): Promise<T> => {
    const backend = await openStateBackend(address, { env: { ...process.env, ...env }, cwd: world.dir, logger: { warn: () => undefined } });
    try {
      return await use(backend);
    } finally {
      await backend.close();
    }
  };
  /** Every output a person or a pipeline sees in these steps (hook output included), and every token the connection held. */
  const transcript: string[] = [];
  const tokensSeen = new Set<string>();
  const recorded = <R extends { stdout: string; stderr: string }>(run: R): R => {
    transcript.push(run.stdout, run.stderr);
    return run;
  };
  /** What a person's shell has: the stack's variables and the database the pg backend uses. */
  const cliEnv = (): Record<string, string> => ({ ...env, ...(process.env["PG_CONN_STR"] === undefined ? {} : { PG_CONN_STR: process.env["PG_CONN_STR"] }) });
  const storedSecrets = (): Promise<Record<string, string>> =>
    withBackend(async (backend) => {
      const stored = await backend.read(DOCUMENT);
      const secrets = stored === undefined ? {} : { ...(await backend.openSecrets(stored)) };
      for (const key of [ConnectionSecretKeys.refreshToken, ConnectionSecretKeys.accessToken]) if (secrets[key] !== undefined) tokensSeen.add(secrets[key]);
      return secrets;
    });

  beforeAll(async () => {
    world = await startWorld();
    address = chooseBackend(world.dir);
    redirectUri = await freeLoopbackRedirectUri();
    const app = await world.emulator.admin.createApp({ kind: "web", name: "Books sync", scopes: APP_SCOPES, redirectUris: [redirectUri] });
    clientId = app.clientId;
    clientSecret = app.clientSecret!;
    tenants = {
      nz: (await world.emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId,
      practice: (await world.emulator.admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" })).tenantId,
    };
    env = { ...world.env, PORTAL_CLIENT_SECRET: clientSecret, CDKTF_XERO_STATE_KEY: STATE_KEY };
    stackDir = declare(["Demo Company (NZ)", tenants.practice]);
  });

  /** Synthesizes the stack with the connection declared for `declaredTenants` (undefined: any); returns the stack directory. */
  function declare(declaredTenants: string[] | undefined): string {
    const state = address.type === "local" ? XeroState.local(address.dir) : XeroState.postgres({ schema: address.schema });
    return synthesize(world.dir, STACK, (stack: TerraformStack) => {
      const portal = new XeroAppRegistration(stack, "Portal", {
        kind: XeroAppKind.WEB,
        appName: "Books sync",
        clientId,
        clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
        redirectUris: [redirectUri],
        scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES],
        state,
      });
      const books = new XeroOAuthConnection(stack, "Books", {
        app: portal,
        ...(declaredTenants === undefined ? {} : { tenants: declaredTenants }),
        scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES],
        onDestroy: XeroConnectionOnDestroy.REVOKE,
        state,
      });
      spec = books.spec;
      new TerraformOutput(stack, "tenant_ids", { value: books.tenantIds });
      new TerraformOutput(stack, "tenant_names", { value: books.tenantNames });
      new TerraformOutput(stack, "granted_scopes", { value: books.grantedScopes });
      new TerraformOutput(stack, "user_email", { value: books.userEmail });
      new TerraformOutput(stack, "connected_at", { value: books.connectedAt });
      new TerraformOutput(stack, "refresh_token_expires_at", { value: books.refreshTokenExpiresAt });
      new TerraformOutput(stack, "status", { value: books.connectionStatus });
    });
  }

  afterAll(async () => {
    await world?.close();
  });

  test("the first deploy proves the app, then fails with the exact connect command", async () => {
    const applied = recorded(await deploy(stackDir, env));
    expect(applied.code).toBe(1);
    backendFlag = address.type === "local" ? `local:${address.dir}` : `pg:${address.schema}`;
    expect(unwrapped(applied.stderr)).toContain(`cdktf-xero: CONNECTION_NOT_CONSENTED: state document "${DOCUMENT}" holds no token set yet`);
    expect(unwrapped(applied.stderr)).toContain(`Run \`cdktf-xero connect ${DOCUMENT} --backend ${backendFlag}\` and consent in the browser`);
  });

  test("the connect command, run as printed from the project, stores the consent given on the consent page", async () => {
    // The person signs in to Xero only now: the app's proof above asks Xero's authorize endpoint with nobody signed in.
    await signInToEmulator(world.emulator, "ada.lovelace@example.com", [tenants.nz, tenants.practice]);
    const cli = startCli(["connect", DOCUMENT, "--backend", backendFlag, "--no-browser"], { cwd: world.dir, env: cliEnv() });
    const browser = formBrowser();
    if (!(await browser.open(await cli.waitForLine(/\/connect\/authorize\?/)))) cli.child.kill();
    expect(browser.problems).toEqual([]);
    const connected = recorded(await cli.done);
    expect(connected.stderr).toBe("");
    expect(connected.code).toBe(0);
    expect(connected.stdout).toMatch(new RegExp(`cdktf-xero: ${DOCUMENT}: .*ada\\.lovelace@example\\.com>? consented; the token set is stored \\(generation \\d+\\)\\.`));
    const stored = await storedSecrets();
    consented = { refreshToken: stored[ConnectionSecretKeys.refreshToken]!, accessToken: stored[ConnectionSecretKeys.accessToken]! };
    expect(`${connected.stdout}${connected.stderr}`).not.toContain(consented.refreshToken);
  });

  test("a consent older than keepAlive: the plan warns, the deploy refreshes it, verifies it, and Terraform reads back who consented to which organisations", async () => {
    // The emulator cannot move this machine's clock: the stored token set is made 31 days old instead.
    const consentedAt = new Date(Date.now() - 31 * DAY_MS);
    await withBackend(async (backend) => {
      const store = documentTokenSetStore(backend, DOCUMENT);
      const { serial, record } = await store.read();
      await store.write(serial, { ...record, tokenSet: { ...record.tokenSet!, refreshTokenIssuedAt: consentedAt } });
    });
    const applied = recorded(await deploy(stackDir, env));
    expect(applied.code).toBe(0);
    const printed = unwrapped(`${applied.stdout}${applied.stderr}`);
    expect(printed).toContain(`the refresh token of the connection ${DOCUMENT} (web app "Books sync", client id ${clientId}) is older than its keepAlive`);
    expect(printed).not.toContain("is past 55 days");
    expect(printed).not.toMatch(/Error/);
    expect(unwrapped(applied.stdout)).toContain("refreshed the token set (older than keepAlive)");
    expect(unwrapped(applied.stdout)).toContain(`the consent covers "Demo Company (NZ)" (tenant id ${tenants.nz}), "Practice Ltd" (tenant id ${tenants.practice})`);
    const read = await outputs(stackDir, env);
    expect(read).toMatchObject({
      tenant_ids: [tenants.nz, tenants.practice],
      tenant_names: ["Demo Company (NZ)", "Practice Ltd"],
      user_email: "ada.lovelace@example.com",
      status: "connected",
      connected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    // Refreshed now: Xero's 60 days count from this deploy, not from the consent.
    expect(Date.parse(String(read["refresh_token_expires_at"]))).toBeGreaterThan(Date.now() + 59 * DAY_MS);
    expect([...(read["granted_scopes"] as string[])].sort()).toEqual(["accounting.invoices", "email", "offline_access", "openid", "profile"]);
    const stored = await storedSecrets();
    expect(stored[ConnectionSecretKeys.refreshToken]).not.toBe(consented.refreshToken);
    const onDisk = `${readFileSync(join(stackDir, "cdk.tf.json"), "utf8")}\n${readFileSync(join(world.dir, `terraform.${STACK}.tfstate`), "utf8")}`;
    for (const token of [consented.refreshToken, consented.accessToken, stored[ConnectionSecretKeys.refreshToken]!, stored[ConnectionSecretKeys.accessToken]!]) {
      expect(onDisk).not.toContain(token);
    }
    // The user disconnects an organisation below with the access token the connection holds now.
    accessToken = stored[ConnectionSecretKeys.accessToken]!;
  });

  test("cdktf-xero token hands a consumer the stored access token, which Xero accepts, and refresh --due finds nothing due", async () => {
    await world.emulator.admin.clearRequests();
    const printed = await runCompiledCli(["token", DOCUMENT, "--backend", backendFlag, "--tenant", "Practice Ltd", "--format", "json"], { cwd: world.dir, env: cliEnv() });
    transcript.push(printed.stderr); // stdout is where the token belongs
    expect(printed.stderr).toBe("");
    expect(printed.code).toBe(0);
    const vended = JSON.parse(printed.stdout) as { accessToken: string; tenantId: string; tenantName: string };
    expect(vended).toMatchObject({ accessToken, tenantId: tenants.practice, tenantName: "Practice Ltd" });
    // The cached token was handed out: nothing reached Xero's token endpoint.
    expect((await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith("/connect/token"))).toEqual([]);
    const listed = await fetch(`${world.emulator.apiUrl}/connections`, { headers: { authorization: `Bearer ${vended.accessToken}` } });
    expect(listed.status).toBe(200);
    const due = recorded(await runCompiledCli(["refresh", "--due", "--backend", backendFlag], { cwd: world.dir, env: cliEnv() }));
    expect(due.code).toBe(0);
    expect(due.stdout).toContain(`cdktf-xero: ${DOCUMENT}: not due until`);
  });

  test("once an organisation is disconnected in Xero, the hook's next run fails listing declared and live organisations, the token set kept", async () => {
    const connections = (await (await fetch(`${world.emulator.apiUrl}/connections`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Array<{ id: string; tenantId: string }>;
    const practice = connections.find((connection) => connection.tenantId === tenants.practice)!;
    await disconnectInEmulator(world.emulator, accessToken, practice.id);
    const listed = await terraform(stackDir, ["state", "list"], env);
    const resource = listed.stdout.split("\n").find((line) => /^terraform_data\.Books_[0-9A-F]{8}$/.test(line.trim()));
    expect(resource).toBeDefined();
    const applied = recorded(await terraform(stackDir, ["apply", "-auto-approve", `-replace=${resource!.trim()}`], env));
    expect(applied.code).toBe(1);
    const stderr = unwrapped(applied.stderr);
    expect(stderr).toContain(`cdktf-xero: CONNECTION_CONSENT_MISMATCH: the consent stored in "${DOCUMENT}" for Web app "Books sync" (client id ${clientId}) does not cover the declaration`);
    expect(stderr).toContain(`Declared tenants: "Demo Company (NZ)", "${tenants.practice}"; live tenants: "Demo Company (NZ)" (tenant id ${tenants.nz}).`);
    expect(stderr).toContain("the token set stays stored for another try");
    expect((await storedSecrets())[ConnectionSecretKeys.refreshToken]).toEqual(expect.any(String));
  });

  test("with the declaration changed to take any organisation, the deploy succeeds and records the one still connected", async () => {
    // (Terraform runs no destroy-time provisioner for the tainted and deposed objects the failed run left: this deploy
    // replaces them with one whose destroy runs the hook.)
    declare(undefined);
    const applied = recorded(await deploy(stackDir, env));
    expect(applied.code).toBe(0);
    expect(await outputs(stackDir, env)).toMatchObject({ tenant_ids: [tenants.nz], tenant_names: ["Demo Company (NZ)"], status: "connected" });
    await storedSecrets();
    // A plan and the state as Terraform shows them, for the leak check at the end.
    expect(recorded(await terraform(stackDir, ["plan", "-out=leak-check.tfplan"], env)).code).toBe(0);
    const shownPlan = recorded(await terraform(stackDir, ["show", "-json", "leak-check.tfplan"], env));
    const shownState = recorded(await terraform(stackDir, ["show", "-json"], env));
    expect([shownPlan.code, shownState.code]).toEqual([0, 0]);
  });

  test("destroy revokes the token set at Xero and drops it from the document", async () => {
    await world.emulator.admin.clearRequests();
    const destroyed = recorded(await terraform(stackDir, ["destroy", "-auto-approve"], env));
    expect(unwrapped(destroyed.stderr)).toBe("");
    expect(destroyed.code).toBe(0);
    expect(unwrapped(destroyed.stdout)).toContain("revoked the token set of Web app \"Books sync\"");
    const revocations = (await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith("/identity/connect/revocation"));
    expect(revocations).toHaveLength(1);
    expect((await world.emulator.admin.getApp(clientId)).connections).toEqual([]);
    expect(await storedSecrets()).toEqual({});
  });

  test("no token the connection ever held appears in cdk.tf.json, a plan, the state, any hook or command output, or any file of the project", () => {
    // Each step's tokens: the consent's, the deploy's refresh, none after the revocation.
    expect(tokensSeen.size).toBeGreaterThanOrEqual(4);
    const files = filesUnder(world.dir).map((file) => readFileSync(file, "latin1"));
    const haystack = [...transcript, ...files].join("\n");
    expect(haystack).toContain("terraform_data"); // the haystack is the real thing
    for (const token of tokensSeen) expect(haystack).not.toContain(token);
  });
});

/** Every regular file under `dir` (Terraform's provider cache left out: no file of ours is there). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === ".terraform" ? [] : filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}
