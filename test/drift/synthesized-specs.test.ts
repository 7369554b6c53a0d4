import { join } from "node:path";
import { canonicalJson, type HookSpec } from "../../contract/hook-spec";
import { readSynthesizedSpecs, specTextsIn } from "../../providers/drift";

const spec: HookSpec = {
  version: 1,
  kind: "app_registration",
  document: "billing/Portal",
  backend: { type: "local", dir: "../../../state" },
  appKind: "pkce",
  appName: "Portal ${var.x}",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  redirectUris: ["https://portal.example.com/cb"],
  scopes: ["openid"],
  createdAfterGranularScopes: true,
};
// As synthesized: Terraform's template sequences escaped.
const escaped = canonicalJson(spec).replace(/\$\{/g, "$${");
const provisioner = (value: string) => ({ provisioner: [{ "local-exec": { command: "node cli.js hook init", environment: { CDKTF_XERO_SPEC: value } } }] });
const stack = {
  resource: {
    terraform_data: { Portal_Init_1: provisioner(escaped), Portal_1: provisioner("${jsonencode(self.input)}") },
    null_resource: { Other_Init_2: { ...provisioner(escaped.replace("billing/Portal", "billing/Other")) } },
  },
};

describe("the declarations in the synthesized stacks", () => {
  it("are the Init resources' literal specs, both hook resource types, template escapes undone", () => {
    expect(specTextsIn(stack).map((text) => JSON.parse(text) as HookSpec)).toEqual([spec, { ...spec, document: "billing/Other" }]);
  });

  it("names the stacks there are when --stack names one that is not", async () => {
    const io = {
      readText: async (file: string) => (file.endsWith("cdk.tf.json") ? JSON.stringify(stack) : undefined),
      listDirectory: async () => ["billing", "reporting"],
    };
    await expect(readSynthesizedSpecs("/project", ["billng"], io)).rejects.toThrow(
      `--stack billng: no such synthesized stack in ${join("/project", "cdktf.out", "stacks")} (stacks: billing, reporting)`,
    );
    const found = await readSynthesizedSpecs("/project", ["billing"], io);
    expect(found.map((entry) => [entry.stack, entry.stackDirectory, entry.spec.document])).toEqual([
      ["billing", join("/project", "cdktf.out", "stacks", "billing"), "billing/Other"],
      ["billing", join("/project", "cdktf.out", "stacks", "billing"), "billing/Portal"],
    ]);
  });
});
