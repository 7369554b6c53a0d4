import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, DataResource, TerraformStack, Testing } from "cdktf";
import { XeroAppRegistration, XeroCustomConnection } from "../../index";
import { TerraformData } from "../../constructs/terraform-data";
import { customConnectionProps } from "./support";

/**
 * The hooks' `terraform_data` resource: rendered as cdktf's DataResource renders it, with Terraform's
 * version checked once per process instead of once per resource (a Terraform start each).
 */

let scratch: string;
const savedBinary = process.env["TERRAFORM_BINARY_NAME"];

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-xero-terraform-data-"));
});
afterEach(() => {
  if (savedBinary === undefined) delete process.env["TERRAFORM_BINARY_NAME"];
  else process.env["TERRAFORM_BINARY_NAME"] = savedBinary;
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A stand-in `terraform` that prints `version` and appends a line to a file each time it runs. */
function fakeTerraform(version: string): { binary: string; runs: () => number } {
  const binary = path.join(scratch, `terraform-${version}`);
  const log = path.join(scratch, `runs-${version}`);
  fs.writeFileSync(binary, `#!/bin/sh\necho run >> '${log}'\necho 'Terraform v${version}'\n`, { mode: 0o755 });
  return { binary, runs: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0) };
}

/** An app of `stacks` stacks with `apps` Custom Connection apps and their links each, synthesized into the scratch directory. */
function synthesize(stacks: number, apps: number): void {
  const app = new App({ outdir: path.join(scratch, "out") });
  for (let s = 0; s < stacks; s++) {
    const stack = new TerraformStack(app, `stack${s}`);
    for (let i = 0; i < apps; i++) {
      const registration = new XeroAppRegistration(stack, `App${i}`, customConnectionProps({ clientId: String(i).padStart(32, "A") }));
      new XeroCustomConnection(stack, `Link${i}`, { app: registration });
    }
  }
  app.synth();
}

describe("TerraformData", () => {
  it("renders the same JSON as cdktf's DataResource for the same input, triggers, provisioners and lifecycle", () => {
    const config = {
      input: { document: "crm/App", scopes: ["openid", "offline_access"] },
      triggersReplace: { document: "crm/App", backend: "local:state" },
      provisioners: [{ type: "local-exec" as const, command: "node hook apply", environment: { SPEC: "${jsonencode(self.input)}" } }],
      lifecycle: { createBeforeDestroy: true },
    };
    const render = (make: (stack: TerraformStack) => void): unknown => {
      const stack = new TerraformStack(Testing.app(), "s");
      make(stack);
      return JSON.parse(Testing.synth(stack)).resource;
    };
    const ours = render((stack) => new TerraformData(stack, "Hook", config));
    const cdktfs = render((stack) => new DataResource(stack, "Hook", config));
    expect(ours).toEqual(cdktfs);
    expect(Object.keys(ours as object)).toEqual(["terraform_data"]);
  });

  it("runs `terraform version` once per process, however many stacks and hook resources the app has", () => {
    const terraform = fakeTerraform("1.11.4");
    process.env["TERRAFORM_BINARY_NAME"] = terraform.binary;
    synthesize(2, 3);
    expect(terraform.runs()).toBe(1);
    synthesize(1, 2);
    expect(terraform.runs()).toBe(1);
  });

  it("fails the synth when Terraform is older than 1.4, naming the version and the null_resource alternative", () => {
    process.env["TERRAFORM_BINARY_NAME"] = fakeTerraform("1.3.9").binary;
    expect(() => synthesize(1, 1)).toThrow(/is version 1\.3\.9, and the hooks' terraform_data resources need 1\.4 or later: upgrade Terraform, or set hookResource: XeroHookResource\.NULL_RESOURCE/);
  });

  it("fails the synth when the Terraform binary cannot be run, naming it and what to do", () => {
    process.env["TERRAFORM_BINARY_NAME"] = path.join(scratch, "no-terraform-here");
    expect(() => synthesize(1, 1)).toThrow(/could not run `.*no-terraform-here version`.*need Terraform 1\.4 or later on PATH .*set hookResource: XeroHookResource\.NULL_RESOURCE/s);
  });
});
