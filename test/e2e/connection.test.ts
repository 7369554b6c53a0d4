/**
 * A consented connection end to end, through the real Terraform binary on each backend: declared,
 * the first deploy fails with the exact `cdktf-xero connect` command, a person consents (the real
 * consent flow posting the emulator's consent page, then the one write that stores a consent), the
 * deploy refreshes it once older than keepAlive (the plan's check warning first), verifies and
 * records it, and Terraform reads the attributes back; an organisation
 * disconnected in Xero makes the next run of the hook fail listing both sides; destroy revokes.
 * The steps of one backend build on each other, as a team would take them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformOutput, type TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroConnectionOnDestroy, XeroOAuthConnection, XeroScopes, XeroSecret, XeroState } from "../../index";
import { ConnectionSecretKeys, type OAuthConnectionSpec } from "../../contract/connection";
import type { StateBackendAddress } from "../../contract/state-address";
import { openStateBackend, type StateBackend } from "../../providers/state";
import type { ConsentResult } from "../../providers/xero/consent-flow";
import { consentAndStore, disconnectInEmulator, freeLoopbackRedirectUri, signInToEmulator } from "../support/consent";
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
  let consent: ConsentResult;
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
  const storedSecrets = (): Promise<Record<string, string>> =>
    withBackend(async (backend) => {
      const stored = await backend.read(DOCUMENT);
      return stored === undefined ? {} : { ...(await backend.openSecrets(stored)) };
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
    const applied = await deploy(stackDir, env);
    expect(applied.code).toBe(1);
    const backendFlag = address.type === "local" ? `--backend local:${address.dir}` : `--backend pg:${address.schema}`;
    expect(unwrapped(applied.stderr)).toContain(`cdktf-xero: CONNECTION_NOT_CONSENTED: state document "${DOCUMENT}" holds no token set yet`);
    expect(unwrapped(applied.stderr)).toContain(`Run \`cdktf-xero connect ${DOCUMENT} ${backendFlag}\` and consent in the browser`);
  });

  test("a consent stored 31 days ago: the plan warns, the deploy refreshes it, verifies it, and Terraform reads back who consented to which organisations", async () => {
    // The person signs in to Xero only now: the app's proof above asks Xero's authorize endpoint with nobody signed in.
    await signInToEmulator(world.emulator, "ada.lovelace@example.com", [tenants.nz, tenants.practice]);
    const consentedAt = new Date(Date.now() - 31 * DAY_MS);
    consent = await withBackend((backend) => consentAndStore(world.emulator, backend, spec, { clientSecret, now: consentedAt }));
    const applied = await deploy(stackDir, env);
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
      connected_at: consentedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    // Refreshed now: Xero's 60 days count from this deploy, not from the consent.
    expect(Date.parse(String(read["refresh_token_expires_at"]))).toBeGreaterThan(Date.now() + 59 * DAY_MS);
    expect([...(read["granted_scopes"] as string[])].sort()).toEqual(["accounting.invoices", "email", "offline_access", "openid", "profile"]);
    const stored = await storedSecrets();
    expect(stored[ConnectionSecretKeys.refreshToken]).not.toBe(consent.tokens.refreshToken);
    const onDisk = `${readFileSync(join(stackDir, "cdk.tf.json"), "utf8")}\n${readFileSync(join(world.dir, `terraform.${STACK}.tfstate`), "utf8")}`;
    for (const token of [consent.tokens.refreshToken!, consent.tokens.accessToken, stored[ConnectionSecretKeys.refreshToken]!, stored[ConnectionSecretKeys.accessToken]!]) {
      expect(onDisk).not.toContain(token);
    }
    // The user disconnects an organisation below with the access token the connection holds now.
    accessToken = stored[ConnectionSecretKeys.accessToken]!;
  });

  test("once an organisation is disconnected in Xero, the hook's next run fails listing declared and live organisations, the token set kept", async () => {
    const practice = consent.tenants.find((tenant) => tenant.tenantId === tenants.practice)!;
    await disconnectInEmulator(world.emulator, accessToken, practice.id);
    const listed = await terraform(stackDir, ["state", "list"], env);
    const resource = listed.stdout.split("\n").find((line) => /^terraform_data\.Books_[0-9A-F]{8}$/.test(line.trim()));
    expect(resource).toBeDefined();
    const applied = await terraform(stackDir, ["apply", "-auto-approve", `-replace=${resource!.trim()}`], env);
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
    const applied = await deploy(stackDir, env);
    expect(applied.code).toBe(0);
    expect(await outputs(stackDir, env)).toMatchObject({ tenant_ids: [tenants.nz], tenant_names: ["Demo Company (NZ)"], status: "connected" });
  });

  test("destroy revokes the token set at Xero and drops it from the document", async () => {
    await world.emulator.admin.clearRequests();
    const destroyed = await terraform(stackDir, ["destroy", "-auto-approve"], env);
    expect(unwrapped(destroyed.stderr)).toBe("");
    expect(destroyed.code).toBe(0);
    expect(unwrapped(destroyed.stdout)).toContain("revoked the token set of Web app \"Books sync\"");
    const revocations = (await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith("/identity/connect/revocation"));
    expect(revocations).toHaveLength(1);
    expect((await world.emulator.admin.getApp(clientId)).connections).toEqual([]);
    expect(await storedSecrets()).toEqual({});
  });
});
