import { DataResource, TerraformStack, Testing } from "cdktf";
import { TerraformData } from "../../constructs/terraform-data";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { Construct } from "constructs";
import { canonicalJson, hashHookSpec, parseHookSpec } from "../../contract/hook-spec";
import { XeroAppRegistration, XeroCustomConnection, XeroHookResource, XeroStackDefaults, XeroState } from "../../index";
import { customConnectionProps, element, errorOf, synthObject, testStack, webProps } from "./support";

const CLI = "../../../dist/cli/hook-launcher.js";

describe("null_resource mode", () => {
  const stack = testStack();
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ hookResource: XeroHookResource.NULL_RESOURCE, appName: "Sync ${x}" }));
  const synthesized = Testing.synth(stack);
  const parsed = synthObject(stack);
  const status = element(parsed, "data", "terraform_remote_state", "Sync_Status");
  const init = element(parsed, "resource", "null_resource", "Sync_Init");
  const resource = element(parsed, "resource", "null_resource", "Sync");

  it("puts the spec JSON, its hash and the status generation in triggers", () => {
    expect(resource.body["triggers"]).toEqual({
      spec: canonicalJson(sync.spec).replace("${x}", () => "$${x}"),
      spec_sha256: hashHookSpec(sync.spec),
      generation: `\${data.terraform_remote_state.${status.id}.outputs.generation}`,
    });
    expect(parseHookSpec(JSON.parse(canonicalJson(sync.spec)))).toEqual(sync.spec);
  });

  it("reads the spec, hash and generation from self.triggers in both provisioners", () => {
    const environment = {
      CDKTF_XERO_SPEC: "${self.triggers.spec}",
      CDKTF_XERO_SPEC_SHA256: "${self.triggers.spec_sha256}",
      CDKTF_XERO_GENERATION: "${self.triggers.generation}",
    };
    expect(resource.body["provisioner"]).toEqual([
      { "local-exec": { command: `node ${CLI} hook apply`, environment } },
      { "local-exec": { command: `node ${CLI} hook destroy`, environment, when: "destroy" } },
    ]);
    expect(resource.body["lifecycle"]).toEqual({ create_before_destroy: true });
  });

  it("renders Init as a null_resource with stable triggers", () => {
    expect(init.body["triggers"]).toEqual({ document: "prod/Sync", backend: "local:../../../.cdktf-xero/state" });
    expect(synthesized).toHaveResourceWithProperties(NullResource, { triggers: { document: "prod/Sync", backend: "local:../../../.cdktf-xero/state" } });
  });

  it("uses one aliased null provider for the stack, so a user's own null provider never clashes", () => {
    expect(synthesized).toHaveProviderWithProperties(NullProvider, { alias: "cdktf_xero" });
    expect(resource.body["provider"]).toBe("null.cdktf_xero");
    expect(init.body["provider"]).toBe("null.cdktf_xero");
    expect(synthesized).not.toHaveResource(DataResource);
  });

  it("adds the provider once however many constructs use it, and passes cdktf's validations", () => {
    const other = testStack();
    new NullProvider(other, "UsersOwn");
    const first = new XeroAppRegistration(other, "First", customConnectionProps({ hookResource: "null_resource" }));
    new XeroCustomConnection(other, "Link", { app: first, hookResource: "null_resource" });
    new XeroAppRegistration(other, "Second", webProps({ hookResource: "null_resource" }));
    expect(other.node.findAll().filter((c) => c instanceof NullProvider).map((c) => c.node.id)).toEqual(["UsersOwn", "CdktfXeroNullProvider"]);
    expect(() => other.runAllValidations()).not.toThrow();
  });
});

describe("XeroStackDefaults", () => {
  it("switches every construct in the stack to null_resource and PostgreSQL", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: "null_resource", state: XeroState.postgres({ schema: "xero" }) });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync });
    expect(sync.spec.backend).toEqual({ type: "pg", schema: "xero" });
    expect(link.spec.backend).toEqual({ type: "pg", schema: "xero" });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResource(NullResource);
    expect(synthesized).not.toHaveResource(DataResource);
  });

  it("lets a construct's own props win over the stack defaults", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: "null_resource", state: XeroState.postgres({ schema: "xero" }) });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ hookResource: "terraform_data", state: XeroState.local() }));
    expect(sync.spec.backend).toEqual({ type: "local", dir: "../../../.cdktf-xero/state" });
    expect(Testing.synth(stack)).not.toHaveResource(NullResource);
  });

  it("takes each setting from the nearest scope that has it", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: "null_resource", state: XeroState.postgres({ schema: "outer" }) });
    const team = new Construct(stack, "Team");
    XeroStackDefaults.set(team, { state: XeroState.postgres({ schema: "inner" }) });
    const sync = new XeroAppRegistration(team, "Sync", customConnectionProps());
    expect(sync.spec.backend).toEqual({ type: "pg", schema: "inner" });
    expect(sync.resource).toBeInstanceOf(NullResource);
  });

  it("does not leak into other stacks", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: "null_resource" });
    const other = new TerraformStack(stack.node.scope!, "other");
    const sync = new XeroAppRegistration(other, "Sync", customConnectionProps());
    expect(sync.resource).toBeInstanceOf(TerraformData);
  });

  it("refuses to be set after the constructs it should apply to", () => {
    const stack = testStack();
    new XeroAppRegistration(stack, "Sync", customConnectionProps());
    expect(errorOf(() => XeroStackDefaults.set(stack, { hookResource: "null_resource" }))).toBe(
      "prod: XeroStackDefaults.set must come before the cdktf-xero constructs it should apply to, but prod/Sync already exists; move the call up",
    );
  });
});
