import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { App, DataResource, LocalBackend, TerraformOutput, TerraformRemoteState, TerraformStack, Testing } from "cdktf";
import { TerraformData } from "../../constructs/terraform-data";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { RotationOutputs, type SecretRotationSpec } from "../../contract/rotation";
import { canonicalJson, hashHookSpec, parseHookSpec } from "../../contract/hook-spec";
import {
  Duration,
  XeroAppRegistration,
  XeroHookResource,
  XeroOverdueAction,
  XeroSecret,
  XeroSecretRotation,
  XeroStackDefaults,
  XeroState,
} from "../../index";
import { CLIENT_ID, customConnectionProps, element, OTHER_CLIENT_ID, synthObject, testApp, testStack, warningsOf, webProps } from "./support";
import { terraformBinary } from "../../scripts/terraform-binary";

const LOCAL = { type: "local", dir: "../../../.cdktf-xero/state" } as const;
const CLI = "../../../dist/cli/hook-launcher.js";
const NINETY_DAYS = 90 * 86_400;
const SEVEN_DAYS = 7 * 86_400;

/** The scheduled generation trigger, as Terraform reads it, for a Status data source id. */
const scheduledGeneration = (statusAddress: string): string => {
  const outputs = `${statusAddress}.outputs`;
  return `\${(timecmp(plantimestamp(), ${outputs}.due_at) > -1) ? (${outputs}.generation + 1) : ${outputs}.generation}`;
};

describe("XeroSecretRotation with the defaults", () => {
  const stack = testStack();
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
  const rotation = new XeroSecretRotation(stack, "SyncRotation", { app: sync });
  new TerraformOutput(stack, "fingerprint", { value: rotation.currentSecretFingerprint });
  new TerraformOutput(stack, "rotated_at", { value: rotation.rotatedAt });
  new TerraformOutput(stack, "next_due", { value: rotation.nextDue });
  const parsed = synthObject(stack);
  const expected: SecretRotationSpec = {
    version: 1,
    kind: "secret_rotation",
    document: "prod/Sync/rotation",
    backend: LOCAL,
    app: {
      document: "prod/Sync",
      backend: LOCAL,
      appName: "Nightly sync",
      appKind: "custom_connection",
      clientId: CLIENT_ID,
      clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
      scopes: ["accounting.invoices.read", "accounting.contacts.read"],
    },
    maxAgeSeconds: NINETY_DAYS,
    keepPreviousSeconds: SEVEN_DAYS,
    onOverdue: "warn",
  };

  it("renders a check block that warns from 80% of maxAge and once overdue, reading the status outputs", () => {
    const checks = (parsed as { check?: Record<string, { assert: { condition: string; error_message: string }[] }> }).check ?? {};
    const names = Object.keys(checks);
    expect(names).toEqual([expect.stringMatching(/^SyncRotation_Status_[0-9A-F]{8}_secret_age$/)]);
    const status = `data.terraform_remote_state.${names[0]!.replace(/_secret_age$/, "")}.outputs`;
    const [eighty, overdue] = checks[names[0]!]!.assert;
    expect(eighty?.condition).toBe(`\${try(timecmp(plantimestamp(), timeadd(${status}.rotated_at, "${NINETY_DAYS * 0.8}s")) < 0, true)}`);
    expect(overdue?.condition).toBe(`\${try(timecmp(plantimestamp(), ${status}.next_due) < 0, true)}`);
    expect(overdue?.error_message).toBe(
      `cdktf-xero: the client secret of Custom Connection "Nightly sync" (client id ${CLIENT_ID}) is overdue (due \${${status}.next_due}): ` +
        "1) generate a secret for it at https://developer.xero.com/app/manage; 2) stage it: cdktf-xero secret stage prod/Sync " +
        "(the secret on stdin, never as an argument); 3) cdktf deploy.",
    );
  });

  it("synthesizes a rotation spec for the app's document + /rotation, 90 days max age, 7 days previous kept, warn when overdue", () => {
    expect(rotation.spec).toEqual(expected);
    expect(parseHookSpec(JSON.parse(canonicalJson(rotation.spec)))).toEqual(expected);
  });

  it("owns the document <app document>/rotation, so consumers can read its current secret from state", () => {
    expect(rotation.documentName).toBe("prod/Sync/rotation");
    expect(XeroSecret.fromState(rotation, "current").bind(rotation)).toEqual({
      reference: { source: "state", document: "prod/Sync/rotation", key: "current" },
    });
  });

  it("offers the current secret as a ready-made reference", () => {
    expect(String(rotation.currentSecret)).toBe('XeroSecret.fromState("prod/Sync/rotation", "current")');
    expect(rotation.currentSecret.bind(rotation)).toEqual({ reference: { source: "state", document: "prod/Sync/rotation", key: "current" } });
  });

  it("renders Init, Status, Resource and State", () => {
    expect(rotation.node.children.map((child) => child.node.id)).toEqual(["Init", "Status", "Resource", "State"]);
    expect(rotation.resource).toBeInstanceOf(TerraformData);
  });

  it("runs its hook after the app's hook, carrying the spec and its hash", () => {
    const appResource = element(parsed, "resource", "terraform_data", "Sync");
    const resource = element(parsed, "resource", "terraform_data", "SyncRotation");
    expect(resource.body["depends_on"]).toEqual([`terraform_data.${appResource.id}`]);
    expect(resource.body["input"]).toEqual(expected);
    expect(resource.body["lifecycle"]).toEqual({ create_before_destroy: true });
  });

  it("re-runs its hook when the document's generation is bumped or its due_at has passed at plan time", () => {
    const status = element(parsed, "data", "terraform_remote_state", "SyncRotation_Status");
    const resource = element(parsed, "resource", "terraform_data", "SyncRotation");
    expect(resource.body["triggers_replace"]).toEqual([
      hashHookSpec(expected),
      scheduledGeneration(`data.terraform_remote_state.${status.id}`),
    ]);
  });

  it("leaves the app's own hook unscheduled", () => {
    const appResource = element(parsed, "resource", "terraform_data", "Sync");
    expect(JSON.stringify(appResource.body)).not.toContain("plantimestamp");
  });

  it("reads the rotation document's status with a default for every rotation output", () => {
    const init = element(parsed, "resource", "terraform_data", "SyncRotation_Init");
    const status = element(parsed, "data", "terraform_remote_state", "SyncRotation_Status");
    expect(status.body["config"]).toEqual({ path: "../../../.cdktf-xero/state/prod/Sync/rotation.tfstate" });
    expect(status.body["defaults"]).toEqual(RotationOutputs.statusDefaults);
    expect(status.body["depends_on"]).toEqual([`terraform_data.${init.id}`]);
    expect(init.body["triggers_replace"]).toEqual({ document: "prod/Sync/rotation", backend: "local:../../../.cdktf-xero/state" });
  });

  it("reads currentSecretFingerprint, rotatedAt and nextDue back from State after its hook", () => {
    const resource = element(parsed, "resource", "terraform_data", "SyncRotation");
    const state = element(parsed, "data", "terraform_remote_state", "SyncRotation_State");
    expect(state.body["depends_on"]).toEqual([`terraform_data.${resource.id}`]);
    expect(state.body["defaults"]).toBeUndefined();
    const ref = (output: string): string => `\${data.terraform_remote_state.${state.id}.outputs.${output}}`;
    expect(parsed.output).toEqual({
      fingerprint: { value: ref("current_fingerprint") },
      rotated_at: { value: ref("rotated_at") },
      next_due: { value: ref("next_due") },
    });
  });

  it("gives no synth warning", () => {
    expect(warningsOf(rotation)).toEqual([]);
  });
});

describe("XeroSecretRotation prop combinations", () => {
  it("rotates a web app's secret", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps());
    const rotation = new XeroSecretRotation(stack, "PortalRotation", { app: portal });
    expect(rotation.spec.app).toEqual({
      document: "prod/Portal",
      backend: LOCAL,
      appName: "Partner portal",
      appKind: "web",
      clientId: OTHER_CLIENT_ID,
      clientSecret: { source: "env", name: "PORTAL_CLIENT_SECRET" },
      scopes: ["openid", "offline_access", "accounting.contacts.read"],
    });
    expect(rotation.documentName).toBe("prod/Portal/rotation");
  });

  it("takes maxAge, keepPrevious and onOverdue as given", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", {
      app: sync,
      maxAge: Duration.days(30),
      keepPrevious: Duration.hours(12),
      onOverdue: XeroOverdueAction.FAIL,
    });
    expect(rotation.spec).toMatchObject({ maxAgeSeconds: 30 * 86_400, keepPreviousSeconds: 12 * 3600, onOverdue: "fail" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({ kind: "secret_rotation", maxAgeSeconds: 2_592_000, keepPreviousSeconds: 43_200, onOverdue: "fail" }),
    });
    expect(warningsOf(rotation)).toEqual([]);
  });

  it("accepts onOverdue as a plain string", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    expect(new XeroSecretRotation(stack, "Rotation", { app: sync, onOverdue: "warn" }).spec.onOverdue).toBe("warn");
  });

  it("accepts keepPrevious of zero: the previous secret is not kept past the next rotation hook run", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, keepPrevious: Duration.seconds(0) });
    expect(rotation.spec.keepPreviousSeconds).toBe(0);
  });

  it("accepts a maxAge under a day with a warning", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, maxAge: Duration.seconds(5), keepPrevious: Duration.seconds(0) });
    expect(rotation.spec.maxAgeSeconds).toBe(5);
    expect(warningsOf(rotation)).toEqual([
      "maxAge Duration.seconds(5) is shorter than a day: the secret falls due between most deploys; use days for a real policy",
    ]);
  });

  it("warns when the previous secret would be kept longer than the current one may live", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, maxAge: Duration.days(30), keepPrevious: Duration.days(45) });
    expect(warningsOf(rotation)).toEqual([
      "keepPrevious Duration.days(45) is longer than maxAge Duration.days(30): a rotation on schedule replaces the previous secret before it expires",
    ]);
  });

  it("warns when the app reads its secret from the rotation's own document, which a first deploy cannot start from", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ clientSecret: XeroSecret.fromState("prod/Sync/rotation", "current") }));
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync });
    expect(warningsOf(rotation)).toEqual([
      "app prod/Sync takes its secret from this rotation's own document, so a first deploy has no secret to start from; declare the secret the app was created with (e.g. XeroSecret.fromEnv): the rotation records it as current, and the app's hooks use the current secret from then on",
    ]);
  });

  it("puts its document in the app's PostgreSQL backend", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ state: XeroState.postgres({ schema: "cdktf_xero" }) }));
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync });
    expect(rotation.spec.backend).toEqual({ type: "pg", schema: "cdktf_xero" });
    expect(rotation.spec.app.backend).toEqual({ type: "pg", schema: "cdktf_xero" });
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(TerraformRemoteState, {
      backend: "pg",
      workspace: "prod/Sync/rotation",
      config: { schema_name: "cdktf_xero", skip_schema_creation: true, skip_table_creation: true, skip_index_creation: true },
    });
  });

  it("accepts a state prop equal to the app's backend", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ state: XeroState.postgres({ schema: "cdktf_xero" }) }));
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, state: XeroState.postgres({ schema: "cdktf_xero" }) });
    expect(rotation.spec.backend).toEqual({ type: "pg", schema: "cdktf_xero" });
    const local = new XeroAppRegistration(stack, "Local", webProps());
    expect(new XeroSecretRotation(stack, "LocalRotation", { app: local, state: XeroState.local() }).spec.backend).toEqual(LOCAL);
  });

  it("follows the app's backend, not the stack's default backend", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { state: XeroState.postgres({ schema: "cdktf_xero" }) });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ state: XeroState.local("secrets/state") }));
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync });
    expect(rotation.spec.backend).toEqual({ type: "local", dir: "../../../secrets/state" });
  });

  it("takes its hook resource from the stack defaults", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: XeroHookResource.NULL_RESOURCE });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync });
    expect(rotation.resource).toBeInstanceOf(NullResource);
  });

  it("lets its own hookResource win over the stack defaults", () => {
    const stack = testStack();
    XeroStackDefaults.set(stack, { hookResource: XeroHookResource.NULL_RESOURCE });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, hookResource: XeroHookResource.TERRAFORM_DATA });
    expect(rotation.resource).toBeInstanceOf(TerraformData);
  });

  it("makes its stack depend on the app's stack when the app lives elsewhere", () => {
    const app = testApp();
    const shared = testStack(app, "shared");
    const prod = testStack(app, "prod");
    const sync = new XeroAppRegistration(shared, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(prod, "Rotation", { app: sync });
    expect(prod.dependencies).toEqual([shared]);
    expect(rotation.documentName).toBe("shared/Sync/rotation");
    expect(element(synthObject(prod), "resource", "terraform_data", "Rotation").body["depends_on"]).toBeUndefined();
  });
});

describe("XeroSecretRotation in null_resource mode", () => {
  const stack = testStack();
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ hookResource: "null_resource" }));
  const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, hookResource: XeroHookResource.NULL_RESOURCE });
  const synthesized = Testing.synth(stack);
  const parsed = synthObject(stack);
  const status = element(parsed, "data", "terraform_remote_state", "Rotation_Status");
  const init = element(parsed, "resource", "null_resource", "Rotation_Init");
  const resource = element(parsed, "resource", "null_resource", "Rotation");
  const appResource = element(parsed, "resource", "null_resource", "Sync");

  it("puts the spec JSON, its hash and the scheduled generation in triggers", () => {
    expect(resource.body["triggers"]).toEqual({
      spec: canonicalJson(rotation.spec),
      spec_sha256: hashHookSpec(rotation.spec),
      generation: scheduledGeneration(`data.terraform_remote_state.${status.id}`),
    });
  });

  it("runs apply and destroy from self.triggers, after the app's hook, on the stack's aliased null provider", () => {
    const environment = {
      CDKTF_XERO_SPEC: "${self.triggers.spec}",
      CDKTF_XERO_SPEC_SHA256: "${self.triggers.spec_sha256}",
      CDKTF_XERO_GENERATION: "${self.triggers.generation}",
    };
    expect(resource.body["provisioner"]).toEqual([
      { "local-exec": { command: `node ${CLI} hook apply`, environment } },
      { "local-exec": { command: `node ${CLI} hook destroy`, environment, when: "destroy" } },
    ]);
    expect(resource.body["depends_on"]).toEqual([`null_resource.${appResource.id}`]);
    expect(resource.body["provider"]).toBe("null.cdktf_xero");
    expect(synthesized).toHaveProviderWithProperties(NullProvider, { alias: "cdktf_xero" });
    expect(synthesized).not.toHaveResource(DataResource);
  });

  it("renders Init as a null_resource with stable triggers", () => {
    expect(init.body["triggers"]).toEqual({ document: "prod/Sync/rotation", backend: "local:../../../.cdktf-xero/state" });
    expect(init.body["provider"]).toBe("null.cdktf_xero");
  });
});

describe("a synthesized rotation under terraform validate", () => {
  const projectRoot = path.resolve(__dirname, "../..");
  let outdir: string;

  afterAll(() => {
    if (outdir !== undefined) fs.rmSync(outdir, { recursive: true, force: true });
  });

  it("is valid Terraform (terraform init + validate, no provider download)", () => {
    fs.mkdirSync(path.join(projectRoot, "cdktf.out"), { recursive: true });
    outdir = fs.mkdtempSync(path.join(projectRoot, "cdktf.out", "rotation-validate-"));
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, "prod");
    new LocalBackend(stack, { path: "terraform.prod.tfstate" });
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const rotation = new XeroSecretRotation(stack, "Rotation", { app: sync, onOverdue: "fail" });
    new TerraformOutput(stack, "fingerprint", { value: rotation.currentSecretFingerprint });
    new TerraformOutput(stack, "next_due", { value: rotation.nextDue });
    app.synth();

    const stackDir = path.join(outdir, "stacks", "prod");
    const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(projectRoot, ".ci/terraformrc"), TF_IN_AUTOMATION: "1" };
    execFileSync(terraformBinary(), ["init", "-backend=false", "-input=false", "-no-color"], { cwd: stackDir, env, stdio: "pipe" });
    const result = JSON.parse(execFileSync(terraformBinary(), ["validate", "-json", "-no-color"], { cwd: stackDir, env }).toString()) as unknown;
    expect(result).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });
});
