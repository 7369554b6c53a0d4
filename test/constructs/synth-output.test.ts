import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import {
  Duration,
  XeroAppRegistration,
  XeroCustomConnection,
  XeroSecret,
  XeroStackDefaults,
  XeroState,
} from "../../index";
import { customConnectionProps, pkceProps, TENANT_ID, webProps } from "./support";
import { terraformBinary } from "../../scripts/terraform-binary";

const SECRET_VALUE = "cdktf-xero-test-secret-5b1f0e";
const ENV_NAMES = ["SYNC_CLIENT_SECRET", "PORTAL_CLIENT_SECRET"] as const;

const PROJECT_ROOT = path.resolve(__dirname, "../..");

/**
 * Synthesizes a full app (every construct and mode) with `app.synth()` into a fresh directory
 * inside the project's (git-ignored) cdktf.out, as `cdktf synth` run in the project would.
 */
function synthesizeFullApp(): { outdir: string; files: Map<string, string> } {
  fs.mkdirSync(path.join(PROJECT_ROOT, "cdktf.out"), { recursive: true });
  const outdir = fs.mkdtempSync(path.join(PROJECT_ROOT, "cdktf.out", "synth-test-"));
  const app = new App({ outdir });
  for (const [id, hookResource] of [["prod", "terraform_data"], ["legacy", "null_resource"]] as const) {
    const stack = new TerraformStack(app, id);
    new LocalBackend(stack, { path: `terraform.${id}.tfstate` });
    XeroStackDefaults.set(stack, { hookResource });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ companyUrl: "https://www.example.com" }));
    const link = new XeroCustomConnection(stack, "SyncLink", {
      app: sync,
      expectedTenantId: TENANT_ID,
      waitForLink: Duration.minutes(5),
      unlinkOnDestroy: true,
    });
    new XeroAppRegistration(stack, "Portal", webProps({ clientSecret: XeroSecret.fromFile("secrets/portal") }));
    new XeroAppRegistration(stack, "Desktop", pkceProps({ state: XeroState.postgres({ schema: "cdktf_xero" }) }));
    new XeroAppRegistration(
      stack,
      "Rotated",
      customConnectionProps({ clientId: "ABCDEF0123456789ABCDEF0123456789", clientSecret: XeroSecret.fromState("prod/Rotation", "current") }),
    );
    new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
    new TerraformOutput(stack, "jdbc_url", { value: sync.jdbcUrl });
  }
  app.synth();
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(outdir, full), fs.readFileSync(full, "utf8"));
    }
  };
  walk(outdir);
  return { outdir, files };
}

/** Every string in a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)]);
  return [];
}

describe("the synthesized output of a full app", () => {
  const saved = new Map(ENV_NAMES.map((name) => [name, process.env[name]]));
  let synthesized: { outdir: string; files: Map<string, string> };

  beforeAll(() => {
    // The hooks read secrets from here at run time; synthesis must never look.
    for (const name of ENV_NAMES) process.env[name] = SECRET_VALUE;
    synthesized = synthesizeFullApp();
  });

  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(synthesized.outdir, { recursive: true, force: true });
  });

  it("writes one cdk.tf.json per stack", () => {
    expect([...synthesized.files.keys()].filter((file) => file.endsWith("cdk.tf.json")).sort()).toEqual([
      path.join("stacks", "legacy", "cdk.tf.json"),
      path.join("stacks", "prod", "cdk.tf.json"),
    ]);
  });

  it("holds no absolute path of the synth machine in any cdk.tf.json", () => {
    const machinePaths = [process.cwd(), PROJECT_ROOT, synthesized.outdir, os.tmpdir(), os.homedir()];
    for (const [file, text] of synthesized.files) {
      if (!file.endsWith("cdk.tf.json")) continue;
      for (const machinePath of machinePaths) expect(text).not.toContain(machinePath);
      const absolute = stringsIn(JSON.parse(text)).filter((value) => /(^|\s|'|")\/[A-Za-z]/.test(value) && !value.includes("://"));
      expect(absolute).toEqual([]);
    }
  });

  it("holds no secret value in any synthesized file", () => {
    for (const text of synthesized.files.values()) expect(text).not.toContain(SECRET_VALUE);
  });

  it("is valid Terraform for the terraform_data stack (terraform init + validate, no provider download)", () => {
    const stackDir = path.join(synthesized.outdir, "stacks", "prod");
    const env = { ...process.env, TF_CLI_CONFIG_FILE: path.resolve(__dirname, "../../.ci/terraformrc"), TF_IN_AUTOMATION: "1" };
    execFileSync(terraformBinary(), ["init", "-backend=false", "-input=false", "-no-color"], { cwd: stackDir, env, stdio: "pipe" });
    const result = JSON.parse(execFileSync(terraformBinary(), ["validate", "-json", "-no-color"], { cwd: stackDir, env }).toString()) as {
      valid: boolean;
      error_count: number;
      diagnostics: unknown[];
    };
    expect(result).toMatchObject({ valid: true, error_count: 0 });
  });
});
