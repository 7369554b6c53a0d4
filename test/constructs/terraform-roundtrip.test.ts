/**
 * The synthesized parts under real Terraform: first apply reads back, re-plan is clean, a
 * generation bump in a document replaces exactly that hook resource, destroy runs the destroy
 * hooks. The hooks are a stand-in script (the real CLI has its own suites): it records what
 * Terraform passed it and writes documents the way the contract in contract/ says.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { hashHookSpec, parseHookSpecJson } from "../../contract/hook-spec";
import { XeroAppRegistration, XeroCustomConnection, XeroStackDefaults, XeroState } from "../../index";
import { customConnectionProps, TENANT_ID } from "./support";
import { terraformBinary } from "../../scripts/terraform-binary";

const PROJECT_ROOT = path.resolve(__dirname, "../..");

const STAND_IN_HOOK = `
const fs = require("fs"), path = require("path");
const verb = process.argv[2];
const text = process.env.CDKTF_XERO_SPEC;
const spec = JSON.parse(text);
fs.appendFileSync(process.env.HOOK_LOG, JSON.stringify({ verb, text, sha: process.env.CDKTF_XERO_SPEC_SHA256, generation: process.env.CDKTF_XERO_GENERATION }) + "\\n");
const file = path.join(spec.backend.dir, spec.document + ".tfstate");
const read = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
const write = (outputs) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const serial = (read()?.serial ?? 0) + 1;
  fs.writeFileSync(file, JSON.stringify({ version: 4, terraform_version: "1.11.4", serial, lineage: "test", outputs, resources: [] }));
};
const out = (value, type) => ({ value, type });
if (verb === "init" && !read()) write({ generation: out(0, "number") });
if (verb === "apply") {
  const generation = out(Number(process.env.CDKTF_XERO_GENERATION), "number");
  write(spec.kind === "app_registration"
    ? { generation, client_id: out(spec.clientId, "string"), kind: out(spec.appKind, "string"),
        granted_scopes: out([...spec.scopes].sort(), ["list", "string"]), jdbc_url: out("jdbc:xero:AuthScheme=OAuthClient;", "string") }
    : { generation, tenant_id: out(spec.expectedTenantId, "string"), tenant_name: out("Demo Company (AU)", "string"),
        tenant_type: out("ORGANISATION", "string"), connection_id: out("c0ffee00-0000-4000-8000-000000000001", "string") });
}
`;

interface HookCall {
  verb: string;
  text: string;
  sha?: string;
  generation?: string;
}

describe("the synthesized stack under real Terraform", () => {
  let work: string;
  let stackDir: string;
  let stateDir: string;
  const log = (): HookCall[] =>
    fs.existsSync(path.join(work, "hooks.log"))
      ? fs.readFileSync(path.join(work, "hooks.log"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as HookCall)
      : [];
  const calls = (): string[] => log().map((call) => `${call.verb} ${parseHookSpecJson(call.text).document}`);
  const terraform = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(terraformBinary(), [...args, "-no-color"], {
      cwd: stackDir,
      env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(PROJECT_ROOT, ".ci/terraformrc"), TF_IN_AUTOMATION: "1", HOOK_LOG: path.join(work, "hooks.log") },
      encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const mustSucceed = (...args: string[]): string => {
    const result = terraform(...args);
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} exited ${result.status}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  beforeAll(() => {
    fs.mkdirSync(path.join(PROJECT_ROOT, "cdktf.out"), { recursive: true });
    work = fs.mkdtempSync(path.join(PROJECT_ROOT, "cdktf.out", "roundtrip-test-"));
    stateDir = path.join(work, "state");
    const app = new App({ outdir: path.join(work, "out") });
    const stack = new TerraformStack(app, "prod");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    XeroStackDefaults.set(stack, { state: XeroState.local(path.relative(process.cwd(), stateDir)) });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ appName: "Sync ${not.interpolated} %{x}" }));
    const link = new XeroCustomConnection(stack, "SyncLink", { app: sync, expectedTenantId: TENANT_ID });
    new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
    new TerraformOutput(stack, "granted_scopes", { value: sync.grantedScopes });
    new TerraformOutput(stack, "kind", { value: sync.kind });
    app.synth();
    stackDir = path.join(work, "out", "stacks", "prod");
    fs.writeFileSync(path.join(work, "hook.js"), STAND_IN_HOOK);
    const file = path.join(stackDir, "cdk.tf.json");
    const synthesized = fs.readFileSync(file, "utf8");
    const replaced = synthesized.replace(/node \S+\/dist\/cli\/hook-launcher\.js hook /g, () => `node ${path.join(work, "hook.js")} `);
    expect(replaced).not.toBe(synthesized);
    fs.writeFileSync(file, replaced);
    mustSucceed("init", "-input=false");
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("reads the hooks' results back on the first apply", () => {
    mustSucceed("apply", "-auto-approve", "-input=false");
    expect(calls()).toHaveLength(4);
    expect(calls().filter((call) => call.startsWith("apply"))).toEqual(["apply prod/Sync", "apply prod/SyncLink"]);
    expect(calls().filter((call) => call.startsWith("init")).sort()).toEqual(["init prod/Sync", "init prod/SyncLink"]);
    const outputs = JSON.parse(mustSucceed("output", "-json")) as Record<string, { value: unknown }>;
    expect(outputs["tenant_id"]?.value).toBe(TENANT_ID);
    expect(outputs["granted_scopes"]?.value).toEqual(["accounting.contacts.read", "accounting.invoices.read"]);
    expect(outputs["kind"]?.value).toBe("custom_connection");
  });

  it("hands the hooks the spec unescaped, its hash and the generation", () => {
    const applies = log().filter((call) => call.verb === "apply");
    for (const call of applies) {
      const spec = parseHookSpecJson(call.text);
      expect(call.sha).toBe(hashHookSpec(spec));
      expect(call.generation).toBe("0");
    }
    expect(parseHookSpecJson(applies[0]!.text)).toMatchObject({ appName: "Sync ${not.interpolated} %{x}" });
  });

  it("plans no changes on the next run", () => {
    expect(terraform("plan", "-detailed-exitcode", "-input=false").status).toBe(0);
  });

  it("replaces exactly the hook whose document's generation was bumped, running apply and not destroy", () => {
    const file = path.join(stateDir, "prod", "Sync.tfstate");
    const document = JSON.parse(fs.readFileSync(file, "utf8")) as { serial: number; outputs: { generation: { value: number } } };
    document.outputs.generation.value = 1;
    document.serial += 1;
    fs.writeFileSync(file, JSON.stringify(document));

    expect(terraform("plan", "-detailed-exitcode", "-input=false", "-out=bump.plan").status).toBe(2);
    const plan = JSON.parse(mustSucceed("show", "-json", "bump.plan")) as {
      resource_changes: Array<{ address: string; change: { actions: string[] } }>;
    };
    const changes = plan.resource_changes.filter((change) => !change.change.actions.every((action) => action === "no-op" || action === "read"));
    expect(changes.map((change) => [change.address.replace(/_[0-9A-F]{8}$/, ""), change.change.actions])).toEqual([
      ["terraform_data.Sync", ["create", "delete"]],
    ]);

    const before = log().length;
    mustSucceed("apply", "-auto-approve", "-input=false", "bump.plan");
    const after = log().slice(before);
    expect(after.map((call) => `${call.verb} ${parseHookSpecJson(call.text).document} ${call.generation}`)).toEqual(["apply prod/Sync 1"]);
    expect(terraform("plan", "-detailed-exitcode", "-input=false").status).toBe(0);
  });

  it("runs the destroy hooks, the link's before the app's, on destroy", () => {
    const before = log().length;
    mustSucceed("destroy", "-auto-approve", "-input=false");
    expect(log().slice(before).map((call) => `${call.verb} ${parseHookSpecJson(call.text).document}`)).toEqual([
      "destroy prod/SyncLink",
      "destroy prod/Sync",
    ]);
  });
});
