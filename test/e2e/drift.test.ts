/**
 * `cdktf-xero drift` end to end: stacks synthesized and deployed by the real Terraform binary, then
 * Xero changed behind their back through the emulator's admin API (what people do in the portal),
 * and the compiled CLI run against it. The steps of one backend build on each other, as a
 * scheduled pipeline would meet them.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TerraformStack } from "cdktf";
import { Duration, XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret, XeroSecretRotation, XeroState } from "../../index";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { openStateBackend } from "../../providers/state";
import { stageSecret } from "../../providers/lifecycle/rotation/stage";
import { deploy, documentBackends, plannedReplacements, runCommand, startWorld, synthesize, terraform, type CommandResult, type E2eWorld } from "./support";

const CLI = resolve(__dirname, "../../dist/cli/main.js");
const STACK = "drift";
const CC_SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ];
const PKCE_SCOPES = [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ];
const CALLBACK = "https://mobile.example.com/callback";
const SECOND_CALLBACK = "https://mobile.example.com/callback2";
const STATE_KEY = Buffer.alloc(32, 5).toString("base64");
const DAY_MS = 86_400_000;

interface DriftJson {
  schemaVersion: number;
  resources: Array<{ resource: string; kind: string; status: string; findings: Array<{ code: string; status: string; expected: string; live: string; fix: string }>; error: { code: string } | null; undeployedChange: unknown }>;
  summary: { resources: number; inSync: number; drifted: number; acknowledged: number; errors: number; exitCode: number };
  marked?: Array<{ resource: string; generation: number; findings: string[] }>;
}

interface Apps {
  sync: string;
  feed: string;
  ledger: string;
  vault: string;
  mobile: string;
  gone?: string;
}

describe.each(documentBackends("e2e_drift"))("cdktf-xero drift against a stack deployed with the %s backend", (_backendName, chooseBackend) => {
  let world: E2eWorld;
  let address: StateBackendAddress;
  let state: XeroState;
  let stackDir: string;
  let env: Record<string, string>;
  const ids = {} as Apps;
  const secrets: Record<string, string> = {};
  let tenantA: string;
  let tenantB: string;
  /** Every request the emulator logged while drift ran (the log is cleared before each run). */
  const driftRequests: Array<{ method: string; path: string; grantType: unknown }> = [];
  /** Everything drift printed, to prove no secret is in it. */
  let driftOutput = "";
  /** Secrets generated for Vault in the portal and staged for its rotation. */
  const vaultCandidates: string[] = [];

  const declare = (options: { withGone: boolean }) => (stack: TerraformStack) => {
    const customConnection = (id: string, clientId: string, variable: string) =>
      new XeroAppRegistration(stack, id, { kind: XeroAppKind.CUSTOM_CONNECTION, appName: `${id} app`, clientId, clientSecret: XeroSecret.fromEnv(variable), scopes: CC_SCOPES, state });
    const sync = customConnection("Sync", ids.sync, "SYNC_SECRET");
    new XeroCustomConnection(stack, "SyncLink", { app: sync, expectedTenantId: tenantA, state });
    const feed = customConnection("Feed", ids.feed, "FEED_SECRET");
    new XeroCustomConnection(stack, "FeedLink", { app: feed, expectedTenantId: tenantA, state });
    const ledger = customConnection("Ledger", ids.ledger, "LEDGER_SECRET");
    new XeroCustomConnection(stack, "LedgerLink", { app: ledger, expectedTenantId: tenantA, state });
    const vault = customConnection("Vault", ids.vault, "VAULT_SECRET");
    new XeroSecretRotation(stack, "VaultRotation", { app: vault, maxAge: Duration.days(1) });
    const pkce = (id: string, clientId: string, redirectUris: string[]) =>
      new XeroAppRegistration(stack, id, { kind: XeroAppKind.PKCE, appName: `${id} app`, clientId, scopes: PKCE_SCOPES, redirectUris, state });
    pkce("Mobile", ids.mobile, [CALLBACK, SECOND_CALLBACK]);
    if (options.withGone && ids.gone !== undefined) pkce("Gone", ids.gone, [CALLBACK]);
  };

  /** The compiled CLI in the project directory, its requests to the emulator collected. */
  const drift = async (args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> => {
    await world.emulator.admin.clearRequests();
    const result = await runCommand(process.execPath, [CLI, "drift", ...args], { cwd: world.dir, env: { ...env, ...extraEnv } });
    driftOutput += result.stdout + result.stderr;
    for (const request of await world.emulator.admin.requests()) {
      const body = request.body as Record<string, unknown> | null | undefined;
      driftRequests.push({ method: request.method, path: request.path, grantType: body?.["grant_type"] });
    }
    return result;
  };
  const json = (result: CommandResult): DriftJson => JSON.parse(result.stdout) as DriftJson;
  /**
   * A secret generated for Vault in the portal, staged as its rotation's PENDING by what `cdktf-xero
   * secret stage` runs, in this process: the premise of a drift check, not a test of the command
   * (test/e2e/rotation.test.ts runs the compiled command), so without a process of its own.
   */
  const stageVaultSecret = async (): Promise<void> => {
    const candidate = (await world.emulator.admin.addSecret(ids.vault)).clientSecret;
    vaultCandidates.push(candidate);
    const silent = { write: () => undefined };
    await stageSecret({ appDocument: `${STACK}/Vault`, backend: address, candidate }, { env: { ...process.env, ...env }, cwd: world.dir, stdout: silent, stderr: silent });
  };
  const asOf = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");

  beforeAll(async () => {
    world = await startWorld();
    address = chooseBackend(world.dir);
    state = address.type === "local" ? XeroState.local(address.dir) : XeroState.postgres({ schema: address.schema });
    const { admin } = world.emulator;
    tenantA = (await admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
    tenantB = (await admin.createOrg({ name: "Other Org Ltd" })).tenantId;
    for (const name of ["sync", "feed", "ledger", "vault"] as const) {
      const app = await admin.createApp({ kind: "custom_connection", name, scopes: [...CC_SCOPES] });
      ids[name] = app.clientId;
      secrets[name] = app.clientSecret!;
      if (name !== "vault") await admin.link(app.clientId, tenantA);
    }
    ids.mobile = (await admin.createApp({ kind: "pkce", name: "Mobile", scopes: [...PKCE_SCOPES], redirectUris: [CALLBACK, SECOND_CALLBACK] })).clientId;
    ids.gone = (await admin.createApp({ kind: "pkce", name: "Gone", scopes: [...PKCE_SCOPES], redirectUris: [CALLBACK] })).clientId;
    env = {
      ...world.env,
      SYNC_SECRET: secrets.sync!,
      FEED_SECRET: secrets.feed!,
      LEDGER_SECRET: secrets.ledger!,
      VAULT_SECRET: secrets.vault!,
      CDKTF_XERO_STATE_KEY: STATE_KEY,
    };
    stackDir = synthesize(world.dir, STACK, declare({ withGone: true }));
    const deployed = await deploy(stackDir, env);
    if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
  });

  afterAll(async () => {
    await world?.close();
  });

  test("a clean stack exits 0 with every resource in sync, in the table, JSON and JUnit", async () => {
    const table = await drift(["--junit", "clean.xml"]);
    expect(table.stderr).not.toContain("warning");
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("10 resources: 10 in sync, 0 drifted, 0 acknowledged, 0 could not be checked");
    const report = json(await drift(["--json"]));
    expect(report.schemaVersion).toBe(1);
    expect(report.summary).toMatchObject({ resources: 10, inSync: 10, drifted: 0, errors: 0, exitCode: 0 });
    const junit = readFileSync(join(world.dir, "clean.xml"), "utf8");
    expect(junit).toContain('<testsuites name="cdktf-xero drift" tests="10" failures="0" errors="0">');
    expect(junit).not.toContain("<failure");
  });

  test("every drift command the README shows exits 0 on a clean stack (its --backend pointed at this test's backend)", async () => {
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Drift checks\n"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const commands = block.split("\n").filter((line) => line.startsWith("npx cdktf-xero drift")).map((line) => line.split(/\s+/).slice(3));
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const args of commands) {
      const backend = args.indexOf("--backend");
      if (backend >= 0) args[backend + 1] = formatBackendAddress(address);
      const result = await drift(args);
      expect({ command: args.join(" "), code: result.code, failure: result.code === 0 ? "" : result.stderr }).toEqual({ command: args.join(" "), code: 0, failure: "" });
    }
  });

  test("with another state key, the rotation's document is unreadable and the app's secret unavailable: exit 2", async () => {
    const report = json(await drift(["--json"], { CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 6).toString("base64") }));
    const drifted = report.resources.filter((resource) => resource.status !== "in_sync").map((resource) => [resource.resource, resource.findings.map((finding) => finding.code)]);
    expect(drifted).toEqual([
      ["drift/Vault", ["secret.unavailable"]],
      ["drift/Vault/rotation", ["document.unreadable"]],
    ]);
    expect(report.summary.exitCode).toBe(2);
  });

  test("a declared change not deployed yet is listed apart and is not drift", async () => {
    // The same Ledger and LedgerLink, the link now declared to wait for its authorisation: a new spec, not yet deployed.
    mkdirSync(join(world.dir, "changed"));
    synthesize(join(world.dir, "changed"), STACK, (stack) => {
      const ledger = new XeroAppRegistration(stack, "Ledger", { kind: XeroAppKind.CUSTOM_CONNECTION, appName: "Ledger app", clientId: ids.ledger, clientSecret: XeroSecret.fromEnv("LEDGER_SECRET"), scopes: CC_SCOPES, state });
      new XeroCustomConnection(stack, "LedgerLink", { app: ledger, expectedTenantId: tenantA, waitForLink: Duration.minutes(5), state });
    });
    const result = await runCommand(process.execPath, [CLI, "drift", "--json"], { cwd: join(world.dir, "changed"), env });
    const report = json(result);
    expect(report.resources.map((resource) => [resource.resource, resource.status, resource.undeployedChange !== null])).toEqual([
      ["drift/Ledger", "in_sync", false],
      ["drift/LedgerLink", "in_sync", true],
    ]);
    expect(result.code).toBe(0);
  });

  describe("after changes in Xero behind Terraform's back", () => {
    let tableRun: CommandResult;
    let jsonRun: CommandResult;
    let junit: string;
    let appsBefore: unknown[];

    beforeAll(async () => {
      const { admin } = world.emulator;
      await admin.deleteSecret(ids.sync, 1);
      await admin.link(ids.feed, tenantB);
      await admin.unlink(ids.ledger);
      await admin.updateApp(ids.vault, { scopes: [XeroScopes.ACCOUNTING_INVOICES_READ] });
      await admin.updateApp(ids.mobile, { redirectUris: [CALLBACK] });
      await admin.deleteApp(ids.gone!);
      await admin.advanceClock(2 * 86_400);
      appsBefore = await Promise.all([ids.sync, ids.feed, ids.ledger, ids.vault, ids.mobile].map((id) => admin.getApp(id)));
      tableRun = await drift(["--as-of", asOf(2), "--junit", "drift.xml"]);
      jsonRun = await drift(["--as-of", asOf(2), "--json"]);
      junit = readFileSync(join(world.dir, "drift.xml"), "utf8");
    });

    const EXPECTED: Array<[string, string, string[]]> = [
      ["drift/Feed", "in_sync", []],
      ["drift/FeedLink", "drifted", ["link.other_organisation"]],
      ["drift/Gone", "drifted", ["registration.client_unknown"]],
      ["drift/Ledger", "in_sync", []],
      ["drift/LedgerLink", "drifted", ["link.not_linked"]],
      ["drift/Mobile", "drifted", ["registration.redirect_uri_refused"]],
      ["drift/Sync", "drifted", ["registration.invalid_client"]],
      ["drift/SyncLink", "drifted", ["registration.invalid_client"]],
      ["drift/Vault", "drifted", ["registration.scopes_differ"]],
      ["drift/Vault/rotation", "drifted", ["rotation.overdue"]],
    ];

    test("drift exits 2", () => {
      expect([tableRun.code, jsonRun.code]).toEqual([2, 2]);
    });

    test("the JSON lists exactly the drifted resources and their finding codes", () => {
      const report = json(jsonRun);
      const seen = report.resources.map((resource) => [resource.resource, resource.status, resource.findings.map((finding) => finding.code)]);
      expect(seen).toEqual(EXPECTED);
      expect(report.summary).toMatchObject({ resources: 10, inSync: 2, drifted: 8, acknowledged: 0, errors: 0, exitCode: 2 });
    });

    test("the JSON says what was expected, what is live and the fix for a moved link", () => {
      const feedLink = json(jsonRun).resources.find((resource) => resource.resource === "drift/FeedLink");
      expect(feedLink?.findings).toEqual([
        {
          code: "link.other_organisation",
          status: "drift",
          expected: `linked to "Demo Company (NZ)" (tenant id ${tenantA})`,
          live: `linked to "Other Org Ltd" (tenant id ${tenantB}, ORGANISATION)`,
          fix: expect.stringContaining(`declare expectedTenantId ${tenantB} instead`),
          acknowledgement: null,
        },
      ]);
    });

    test("the table has one row per resource with its status and findings", () => {
      const rows = tableRun.stdout.split("\n").filter((line) => line.startsWith("drift/")).map((line) => line.split(/\s{2,}/));
      expect(rows).toEqual([
        ["drift/Feed", "app_registration", "in sync"],
        ["drift/FeedLink", "custom_connection_link", "DRIFTED", "link.other_organisation"],
        ["drift/Gone", "app_registration", "DRIFTED", "registration.client_unknown"],
        ["drift/Ledger", "app_registration", "in sync"],
        ["drift/LedgerLink", "custom_connection_link", "DRIFTED", "link.not_linked"],
        ["drift/Mobile", "app_registration", "DRIFTED", "registration.redirect_uri_refused"],
        ["drift/Sync", "app_registration", "DRIFTED", "registration.invalid_client"],
        ["drift/SyncLink", "custom_connection_link", "DRIFTED", "registration.invalid_client"],
        ["drift/Vault", "app_registration", "DRIFTED", "registration.scopes_differ"],
        ["drift/Vault/rotation", "secret_rotation", "DRIFTED", "rotation.overdue"],
      ]);
      expect(tableRun.stdout).toContain(`      live:     Xero refuses ${SECOND_CALLBACK}`);
      expect(tableRun.stdout).toContain("10 resources: 2 in sync, 8 drifted, 0 acknowledged, 0 could not be checked");
    });

    test("the JUnit report has one test case per resource, drift as failure typed by its code", () => {
      const cases = [...junit.matchAll(/<testcase classname="cdktf-xero\.([a-z_]+)" name="([^"]+)"(\/>|>\n\s*<failure type="([^"]+)")?/g)].map((match) => [match[2], match[4] ?? null]);
      expect(cases).toEqual(EXPECTED.map(([resource, , codes]) => [resource, codes[0] ?? null]));
      expect(junit).toContain('tests="10" failures="8" errors="0"');
    });

    test("with only --backend, drift finds the same drift from what the documents recorded: secret references, redirect URIs, the rotation's CURRENT", async () => {
      const report = json(await drift(["--backend", formatBackendAddress(address), "--as-of", asOf(2), "--json"]));
      expect(report.resources.map((resource) => [resource.resource, resource.status, resource.findings.map((finding) => finding.code)])).toEqual(EXPECTED);
    });

    test("with only --backend and a recorded secret variable unset where drift runs, the secret is unavailable, naming the variable", async () => {
      const result = await drift(["--backend", formatBackendAddress(address), "--as-of", asOf(2), "--json"], { FEED_SECRET: "" });
      const feed = json(result).resources.filter((resource) => resource.resource.startsWith("drift/Feed")).map((resource) => [resource.resource, resource.findings.map((finding) => [finding.code, finding.fix])]);
      expect(feed).toEqual([
        ["drift/Feed", [["secret.unavailable", "Export FEED_SECRET in the drift job's environment (the secret variable the deploy uses)"]]],
        ["drift/FeedLink", [["secret.unavailable", "Export FEED_SECRET in the drift job's environment (the secret variable the deploy uses)"]]],
      ]);
    });

    test("drift changed no app or connection in Xero", async () => {
      const after = await Promise.all([ids.sync, ids.feed, ids.ledger, ids.vault, ids.mobile].map((id) => world.emulator.admin.getApp(id)));
      expect(after).toEqual(appsBefore);
    });

    test("--write-ignore then --ignore exits 0 listing every finding as acknowledged", async () => {
      const written = await drift(["--as-of", asOf(2), "--write-ignore", "drift-ignore"]);
      expect(written.code).toBe(2);
      const ignored = await drift(["--as-of", asOf(2), "--ignore", "drift-ignore", "--json"]);
      expect(ignored.code).toBe(0);
      const report = json(ignored);
      expect(report.summary).toMatchObject({ drifted: 0, acknowledged: 8, inSync: 2, exitCode: 0 });
      expect(report.resources.flatMap((resource) => resource.findings.map((finding) => finding.status))).toEqual(Array(8).fill("acknowledged"));
    });

    test("past the acknowledgements' expiry the same drift exits 2 and says they expired", async () => {
      await world.emulator.admin.advanceClock(40 * 86_400);
      const expired = await drift(["--as-of", asOf(42), "--ignore", "drift-ignore"]);
      expect(expired.code).toBe(2);
      expect(expired.stdout).toContain("link.not_linked (acknowledgement expired)");
      expect(expired.stdout).toContain("10 resources: 2 in sync, 8 drifted, 0 acknowledged");
    });

    test("an unreachable Xero exits 1, listing what could not be checked", async () => {
      const unreachable = await drift(["--json"], { XERO_IDENTITY_URL: "http://127.0.0.1:9/identity", XERO_LOGIN_URL: "http://127.0.0.1:9/login", XERO_API_URL: "http://127.0.0.1:9/api" });
      expect(unreachable.code).toBe(1);
      const report = json(unreachable);
      const errors = report.resources.filter((resource) => resource.error !== null).map((resource) => [resource.resource, resource.error?.code]);
      expect(errors).toEqual([
        ["drift/Feed", "XERO_UNAVAILABLE"],
        ["drift/FeedLink", "XERO_UNAVAILABLE"],
        ["drift/Gone", "XERO_UNAVAILABLE"],
        ["drift/Ledger", "XERO_UNAVAILABLE"],
        ["drift/LedgerLink", "XERO_UNAVAILABLE"],
        ["drift/Mobile", "XERO_UNAVAILABLE"],
        ["drift/Sync", "XERO_UNAVAILABLE"],
        ["drift/SyncLink", "XERO_UNAVAILABLE"],
        ["drift/Vault", "XERO_UNAVAILABLE"],
      ]);
    });

    test("--mark bumps exactly the drifted resources, and the plan replaces exactly their hooks", async () => {
      // The deleted app goes from the code first (its removal is a change of its own in the plan).
      stackDir = synthesize(world.dir, STACK, declare({ withGone: false }));
      const removed = await terraform(stackDir, ["apply", "-auto-approve"], env);
      expect(removed.code).toBe(0);
      const marked = json(await drift(["--as-of", asOf(42), "--mark", "--json"]));
      expect(marked.marked?.map((entry) => [entry.resource, entry.findings])).toEqual([
        ["drift/FeedLink", ["link.other_organisation"]],
        ["drift/LedgerLink", ["link.not_linked"]],
        ["drift/Mobile", ["registration.redirect_uri_refused"]],
        ["drift/Sync", ["registration.invalid_client"]],
        ["drift/SyncLink", ["registration.invalid_client"]],
        ["drift/Vault", ["registration.scopes_differ"]],
        ["drift/Vault/rotation", ["rotation.overdue"]],
      ]);
      const plan = await plannedReplacements(stackDir, env);
      expect(plan.exitCode).toBe(2);
      expect(plan.replaced.map((address) => address.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
        "terraform_data.FeedLink",
        "terraform_data.LedgerLink",
        "terraform_data.Mobile",
        "terraform_data.Sync",
        "terraform_data.SyncLink",
        "terraform_data.Vault",
        "terraform_data.VaultRotation",
      ]);
    });

    test("the deploy before the repair fails with the fix for the revoked secret", async () => {
      const failed = await terraform(stackDir, ["apply", "-auto-approve"], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr.replace(/\s+/g, " ")).toContain("HOOK_INVALID_CLIENT");
    });

    test("after the repair in Xero, deploy succeeds and drift exits 0", async () => {
      const { admin } = world.emulator;
      env.SYNC_SECRET = (await admin.addSecret(ids.sync)).clientSecret;
      await admin.link(ids.feed, tenantA);
      await admin.link(ids.ledger, tenantA);
      await admin.updateApp(ids.vault, { scopes: [...CC_SCOPES] });
      await admin.updateApp(ids.mobile, { redirectUris: [CALLBACK, SECOND_CALLBACK] });
      // A new Vault secret rides along: this deploy promotes it, so the rotation keeps a PREVIOUS (see below).
      await stageVaultSecret();
      const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      const clean = await drift([]);
      expect(clean.stdout).toContain("9 resources: 9 in sync, 0 drifted");
      expect(clean.code).toBe(0);
    });

    describe("later: a second organisation, a withdrawn scope, a secret staged and left, a PREVIOUS kept too long", () => {
      let tableRun: CommandResult;
      let jsonRun: CommandResult;
      let junit: string;
      const LATER: Array<[string, string, string[]]> = [
        ["drift/Feed", "in_sync", []],
        ["drift/FeedLink", "in_sync", []],
        ["drift/Ledger", "in_sync", []],
        ["drift/LedgerLink", "in_sync", []],
        ["drift/Mobile", "drifted", ["registration.scope_refused"]],
        ["drift/Sync", "in_sync", []],
        ["drift/SyncLink", "drifted", ["link.too_many"]],
        ["drift/Vault", "in_sync", []],
        ["drift/Vault/rotation", "drifted", ["rotation.overdue", "rotation.pending_stale", "rotation.previous_kept"]],
      ];

      beforeAll(async () => {
        const { admin } = world.emulator;
        await admin.link(ids.sync, tenantB, { keepOtherLinks: true });
        await admin.updateApp(ids.mobile, { scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS] });
        await stageVaultSecret();
        // Eight days on: past the staged secret's day and the PREVIOUS's seven (keepPrevious's default).
        tableRun = await drift(["--as-of", asOf(8), "--junit", "later.xml"]);
        jsonRun = await drift(["--as-of", asOf(8), "--json"]);
        junit = readFileSync(join(world.dir, "later.xml"), "utf8");
      });

      test("the JSON lists each of them under its resource, and drift exits 2", () => {
        const report = json(jsonRun);
        expect(report.resources.map((resource) => [resource.resource, resource.status, resource.findings.map((finding) => finding.code)])).toEqual(LATER);
        expect([tableRun.code, jsonRun.code, report.summary.exitCode]).toEqual([2, 2, 2]);
      });

      test("the JSON says what was expected and what is live for the second organisation and the withdrawn scope", () => {
        const findings = Object.fromEntries(json(jsonRun).resources.map((resource) => [resource.resource, resource.findings.map((finding) => [finding.expected, finding.live])]));
        expect([findings["drift/SyncLink"], findings["drift/Mobile"]]).toEqual([
          [[`linked to "Demo Company (NZ)" (tenant id ${tenantA})`, `linked to 2 organisations: "Demo Company (NZ)" (tenant id ${tenantA}, ORGANISATION), "Other Org Ltd" (tenant id ${tenantB}, ORGANISATION)`]],
          [[`Xero takes the declared scopes ${[...PKCE_SCOPES].sort().join(" ")}`, `Xero refuses ${XeroScopes.ACCOUNTING_INVOICES_READ}`]],
        ]);
      });

      test("the table shows the same findings on each resource's row", () => {
        const rows = tableRun.stdout.split("\n").filter((line) => line.startsWith("drift/")).map((line) => line.split(/\s{2,}/));
        expect(rows.filter((row) => row[2] === "DRIFTED")).toEqual([
          ["drift/Mobile", "app_registration", "DRIFTED", "registration.scope_refused"],
          ["drift/SyncLink", "custom_connection_link", "DRIFTED", "link.too_many"],
          ["drift/Vault/rotation", "secret_rotation", "DRIFTED", "rotation.overdue, rotation.pending_stale, rotation.previous_kept"],
        ]);
        expect(tableRun.stdout).toContain("9 resources: 6 in sync, 3 drifted, 0 acknowledged, 0 could not be checked");
      });

      test("the JUnit report fails exactly those test cases, naming every finding", () => {
        const failures = [...junit.matchAll(/<testcase classname="[^"]+" name="([^"]+)">\n\s*<failure type="([^"]+)" message="([^"]+)"/g)].map((match) => [match[1], match[2], match[3]]);
        expect(failures).toEqual([
          ["drift/Mobile", "registration.scope_refused", "registration.scope_refused"],
          ["drift/SyncLink", "link.too_many", "link.too_many"],
          ["drift/Vault/rotation", "rotation.overdue", "rotation.overdue, rotation.pending_stale, rotation.previous_kept"],
        ]);
        expect(junit).toContain('tests="9" failures="3" errors="0"');
      });
    });

    test("a deleted document is document.missing, with the exact command that recreates it", async () => {
      const backend = await openStateBackend(address, { env: { ...process.env, ...env }, cwd: world.dir });
      try {
        await backend.delete("drift/Ledger");
      } finally {
        await backend.close();
      }
      const result = await drift(["--json"]);
      const ledger = json(result).resources.find((resource) => resource.resource === "drift/Ledger");
      expect(ledger?.findings.map((finding) => [finding.code, finding.live])).toEqual([["document.missing", "no such document"]]);
      expect(ledger?.findings[0]?.fix).toMatch(/`terraform apply -replace=terraform_data\.Ledger_Init_[0-9A-F]{8}` in cdktf\.out\/stacks\/drift/);
      expect(result.code).toBe(2);
    });
  });

  test("no client secret or state key is in anything drift printed or wrote", () => {
    const written = ["clean.xml", "drift.xml", "later.xml", "drift-ignore", "drift-junit.xml"].map((file) => readFileSync(join(world.dir, file), "utf8")).join("");
    expect(driftOutput.length).toBeGreaterThan(0);
    expect(vaultCandidates.length).toBe(2);
    for (const secret of [...Object.values(secrets), ...vaultCandidates, env.SYNC_SECRET!, STATE_KEY]) {
      expect(driftOutput).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
  });

  test("the emulator's request log proves drift read only: GETs and client-credentials token requests, nothing else", () => {
    expect(driftRequests.length).toBeGreaterThan(0);
    const writes = driftRequests.filter((request) => request.method !== "GET" && !(request.method === "POST" && request.path === "/identity/connect/token" && request.grantType === "client_credentials"));
    expect(writes).toEqual([]);
    expect(driftRequests.filter((request) => request.method === "DELETE")).toEqual([]);
  });
});
