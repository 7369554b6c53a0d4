import { DataResource, TerraformOutput, TerraformRemoteState, Testing } from "cdktf";
import { hashHookSpec } from "../../contract/hook-spec";
import type { CustomConnectionLinkSpec } from "../../contract/link";
import { Duration, XeroAppRegistration, XeroCustomConnection, XeroSecret, XeroState } from "../../index";
import { CLIENT_ID, customConnectionProps, element, synthObject, TENANT_ID, testApp, testStack } from "./support";

const LOCAL = { type: "local", dir: "../../../.cdktf-xero/state" } as const;

describe("XeroCustomConnection with the defaults", () => {
  const stack = testStack();
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
  const link = new XeroCustomConnection(stack, "SyncLink", { app: sync });
  new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
  new TerraformOutput(stack, "tenant_name", { value: link.tenantName });
  new TerraformOutput(stack, "tenant_type", { value: link.tenantType });
  new TerraformOutput(stack, "connection_id", { value: link.connectionId });
  const parsed = synthObject(stack);
  const expected: CustomConnectionLinkSpec = {
    version: 1,
    kind: "custom_connection_link",
    document: "prod/SyncLink",
    backend: LOCAL,
    app: {
      document: "prod/Sync",
      backend: LOCAL,
      appName: "Nightly sync",
      clientId: CLIENT_ID,
      clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
      scopes: ["accounting.invoices.read", "accounting.contacts.read"],
    },
    waitForLinkSeconds: 0,
    unlinkOnDestroy: false,
  };

  it("synthesizes a link spec carrying the app's document, client id, secret reference and scopes", () => {
    expect(link.spec).toEqual(expected);
    expect(link.documentName).toBe("prod/SyncLink");
  });

  it("runs its hook after the app's hook", () => {
    const appResource = element(parsed, "resource", "terraform_data", "Sync");
    const linkResource = element(parsed, "resource", "terraform_data", "SyncLink");
    expect(linkResource.body["depends_on"]).toEqual([`terraform_data.${appResource.id}`]);
    expect(linkResource.body["input"]).toEqual(expected);
    expect(linkResource.body["triggers_replace"]).toEqual([hashHookSpec(expected), expect.stringMatching(/SyncLink_Status_[0-9A-F]{8}\.outputs\.generation\}$/)]);
  });

  it("renders its own Init, Status and State for its document", () => {
    expect(link.node.children.map((child) => child.node.id)).toEqual(["Init", "Status", "Resource", "State"]);
    expect(element(parsed, "data", "terraform_remote_state", "SyncLink_Status").body["config"]).toEqual({
      path: "../../../.cdktf-xero/state/prod/SyncLink.tfstate",
    });
  });

  it("reads tenantId, tenantName, tenantType and connectionId back from State", () => {
    const state = element(parsed, "data", "terraform_remote_state", "SyncLink_State");
    const ref = (output: string): string => `\${data.terraform_remote_state.${state.id}.outputs.${output}}`;
    expect(parsed.output).toEqual({
      tenant_id: { value: ref("tenant_id") },
      tenant_name: { value: ref("tenant_name") },
      tenant_type: { value: ref("tenant_type") },
      connection_id: { value: ref("connection_id") },
    });
  });
});

describe("XeroCustomConnection prop combinations", () => {
  it("carries the expected tenant id (lower-cased) and name", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", {
      app: sync,
      expectedTenantId: TENANT_ID.toUpperCase(),
      expectedTenantName: "Demo Company (AU)",
    });
    expect(link.spec.expectedTenantId).toBe(TENANT_ID);
    expect(link.spec.expectedTenantName).toBe("Demo Company (AU)");
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({ expectedTenantId: TENANT_ID, expectedTenantName: "Demo Company (AU)" }),
    });
  });

  it("takes waitForLink as a Duration", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync, waitForLink: Duration.minutes(10) });
    expect(link.spec.waitForLinkSeconds).toBe(600);
  });

  it("takes waitForLink of a whole number of seconds as Duration.seconds", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync, waitForLink: Duration.seconds(90) });
    expect(link.spec.waitForLinkSeconds).toBe(90);
  });

  it("takes waitForLink of exactly 24 hours", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync, waitForLink: Duration.hours(24) });
    expect(link.spec.waitForLinkSeconds).toBe(86_400);
  });

  it("asks the destroy hook to unlink only when unlinkOnDestroy is set", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync, unlinkOnDestroy: true });
    expect(link.spec.unlinkOnDestroy).toBe(true);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({ kind: "custom_connection_link", unlinkOnDestroy: true }),
    });
  });

  it("keeps its own backend and the app's backend apart", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(stack, "Link", { app: sync, state: XeroState.postgres({ schema: "links" }) });
    expect(link.spec.backend).toEqual({ type: "pg", schema: "links" });
    expect(link.spec.app.backend).toEqual(LOCAL);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(TerraformRemoteState, {
      backend: "pg",
      workspace: "prod/Link",
      config: { schema_name: "links", skip_schema_creation: true, skip_table_creation: true, skip_index_creation: true },
    });
  });

  it("carries an app secret kept in the state backend", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ clientSecret: XeroSecret.fromState("prod/Rotation", "current") }));
    const link = new XeroCustomConnection(stack, "Link", { app: sync });
    expect(link.spec.app.clientSecret).toEqual({ source: "state", document: "prod/Rotation", key: "current" });
  });

  it("makes its stack depend on the app's stack when the app lives elsewhere", () => {
    const app = testApp();
    const shared = testStack(app, "shared");
    const prod = testStack(app, "prod");
    const sync = new XeroAppRegistration(shared, "Sync", customConnectionProps());
    const link = new XeroCustomConnection(prod, "Link", { app: sync });
    expect(prod.dependencies).toEqual([shared]);
    expect(link.spec.app.document).toBe("shared/Sync");
    expect(element(synthObject(prod), "resource", "terraform_data", "Link").body["depends_on"]).toBeUndefined();
  });
});
