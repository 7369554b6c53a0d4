import { Testing } from "cdktf";
import { Construct } from "constructs";
import { escapeTemplate, escapeTemplates, renderHookParts } from "../../constructs/hook-parts";
import { RegistrationOutputs, type AppRegistrationSpec } from "../../contract/registration";
import { element, synthObject, testStack } from "./support";

const spec: AppRegistrationSpec = {
  version: 1,
  kind: "app_registration",
  document: "prod/Rotation",
  backend: { type: "local", dir: "state" },
  appKind: "custom_connection",
  appName: "Rotation",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: { source: "env", name: "X" },
  redirectUris: [],
  scopes: ["files"],
  createdAfterGranularScopes: false,
};

describe("renderHookParts", () => {
  it("bumps the generation trigger once the document's due_at has passed, for scheduled kinds", () => {
    const stack = testStack();
    renderHookParts(new Construct(stack, "Rotation"), { spec, hookResource: "terraform_data", scheduled: true, statusDefaults: RegistrationOutputs.statusDefaults });
    const parsed = synthObject(stack);
    const status = element(parsed, "data", "terraform_remote_state", "Rotation_Status");
    const outputs = `data.terraform_remote_state.${status.id}.outputs`;
    expect(element(parsed, "resource", "terraform_data", "Rotation").body["triggers_replace"]).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}$/),
      `\${(timecmp(plantimestamp(), ${outputs}.due_at) > -1) ? (${outputs}.generation + 1) : ${outputs}.generation}`,
    ]);
  });

  it("uses the recorded generation as is for kinds without a schedule", () => {
    const stack = testStack();
    renderHookParts(stack, { spec, hookResource: "terraform_data", statusDefaults: RegistrationOutputs.statusDefaults });
    expect(Testing.synth(stack)).not.toContain("plantimestamp");
  });
});

describe("escapeTemplate", () => {
  it("doubles the $ of ${ and the % of %{ so Terraform reads them literally", () => {
    expect(escapeTemplate("a ${b} %{c} $d %e $${f}")).toBe("a $${b} %%{c} $d %e $$${f}");
  });

  it("escapes every string of a JSON value and leaves other values alone", () => {
    expect(escapeTemplates({ a: ["${x}", 1, true, null], b: { c: "%{y}" } })).toEqual({ a: ["$${x}", 1, true, null], b: { c: "%%{y}" } });
  });
});
