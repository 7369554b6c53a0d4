import * as path from "node:path";
import { DataResource, TerraformOutput, TerraformRemoteState, Testing } from "cdktf";
import { Construct } from "constructs";
import { hashHookSpec, parseHookSpec } from "../../contract/hook-spec";
import { type AppRegistrationSpec, RegistrationOutputs } from "../../contract/registration";

const STATUS_DEFAULTS = RegistrationOutputs.statusDefaults;
import { XeroAppRegistration, XeroScopes, XeroSecret, XeroState } from "../../index";
import {
  CLIENT_ID,
  customConnectionProps,
  element,
  pkceProps,
  synthObject,
  testStack,
  warningsOf,
  webProps,
} from "./support";

const CLI = "../../../dist/cli/hook-launcher.js";
const LOCAL = { type: "local", dir: "../../../.cdktf-xero/state" } as const;

const expectedCustomConnectionSpec: AppRegistrationSpec = {
  version: 1,
  kind: "app_registration",
  document: "prod/Sync",
  backend: LOCAL,
  appKind: "custom_connection",
  appName: "Nightly sync",
  clientId: CLIENT_ID,
  clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
  redirectUris: [],
  scopes: ["accounting.invoices.read", "accounting.contacts.read"],
  createdAfterGranularScopes: false,
};

describe("XeroAppRegistration with the defaults (terraform_data, local state)", () => {
  const stack = testStack();
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
  new TerraformOutput(stack, "client_id", { value: sync.clientId });
  new TerraformOutput(stack, "kind", { value: sync.kind });
  new TerraformOutput(stack, "granted_scopes", { value: sync.grantedScopes });
  new TerraformOutput(stack, "jdbc_url", { value: sync.jdbcUrl });
  const synthesized = Testing.synth(stack);
  const parsed = synthObject(stack);
  const hash = hashHookSpec(expectedCustomConnectionSpec);
  const status = element(parsed, "data", "terraform_remote_state", "Sync_Status");
  const init = element(parsed, "resource", "terraform_data", "Sync_Init");
  const resource = element(parsed, "resource", "terraform_data", "Sync");
  const state = element(parsed, "data", "terraform_remote_state", "Sync_State");

  it("exposes the spec it synthesizes", () => {
    expect(sync.spec).toEqual(expectedCustomConnectionSpec);
    expect(sync.documentName).toBe("prod/Sync");
    expect(sync.appKind).toBe("custom_connection");
  });

  it("names its four parts Init, Status, Resource and State, with Resource as the default child", () => {
    expect(sync.node.children.map((child) => child.node.id)).toEqual(["Init", "Status", "Resource", "State"]);
    expect(sync.node.defaultChild).toBe(sync.resource);
  });

  it("renders Init with stable triggers and a create-time hook init carrying the spec", () => {
    expect(synthesized).toHaveResourceWithProperties(DataResource, {
      triggers_replace: { document: "prod/Sync", backend: "local:../../../.cdktf-xero/state" },
      provisioner: [{ "local-exec": { command: `node ${CLI} hook init`, environment: { CDKTF_XERO_SPEC: expect.any(String) } } }],
    });
    const provisioners = init.body["provisioner"] as Array<Record<string, { environment: Record<string, string> }>>;
    expect(parseHookSpec(JSON.parse(provisioners[0]!["local-exec"]!.environment["CDKTF_XERO_SPEC"]!))).toEqual(expectedCustomConnectionSpec);
  });

  it("renders Status reading the document file with a default for every output, after Init", () => {
    expect(synthesized).toHaveDataSourceWithProperties(TerraformRemoteState, {
      backend: "local",
      config: { path: "../../../.cdktf-xero/state/prod/Sync.tfstate" },
      defaults: { ...STATUS_DEFAULTS, granted_scopes: [] },
      depends_on: [`terraform_data.${init.id}`],
    });
    expect(status.body["defaults"]).toEqual(STATUS_DEFAULTS);
  });

  it("renders Resource with the spec as input and [spec hash, status generation] as replacement triggers", () => {
    expect(resource.body["input"]).toEqual(expectedCustomConnectionSpec);
    expect(resource.body["triggers_replace"]).toEqual([hash, `\${data.terraform_remote_state.${status.id}.outputs.generation}`]);
    expect(resource.body["lifecycle"]).toEqual({ create_before_destroy: true });
  });

  it("runs hook apply on create and hook destroy on destroy, both reading only self", () => {
    const environment = {
      CDKTF_XERO_SPEC: "${jsonencode(self.input)}",
      CDKTF_XERO_SPEC_SHA256: "${self.triggers_replace[0]}",
      CDKTF_XERO_GENERATION: "${self.triggers_replace[1]}",
    };
    expect(resource.body["provisioner"]).toEqual([
      { "local-exec": { command: `node ${CLI} hook apply`, environment } },
      { "local-exec": { command: `node ${CLI} hook destroy`, environment, when: "destroy" } },
    ]);
  });

  it("renders State reading the same document after Resource, without defaults", () => {
    expect(state.body).toEqual({
      backend: "local",
      config: { path: "../../../.cdktf-xero/state/prod/Sync.tfstate" },
      depends_on: [`terraform_data.${resource.id}`],
    });
  });

  it("reads its attributes back from State", () => {
    const ref = (output: string): string => `\${data.terraform_remote_state.${state.id}.outputs.${output}}`;
    expect(parsed.output).toEqual({
      client_id: { value: ref("client_id") },
      kind: { value: ref("kind") },
      granted_scopes: { value: ref("granted_scopes") },
      jdbc_url: { value: ref("jdbc_url") },
    });
  });

  it("passes cdktf's own validations", () => {
    expect(stack.runAllValidations.bind(stack)).not.toThrow();
  });

  it("records no warnings for a well-formed Custom Connection", () => {
    expect(warningsOf(sync)).toEqual([]);
  });
});

describe("XeroAppRegistration prop combinations", () => {
  it("renders a Web app with redirect URIs, a company URL and a file secret relative to the stack directory", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(
      stack,
      "Portal",
      webProps({ clientSecret: XeroSecret.fromFile("secrets/portal"), companyUrl: "https://www.example.com" }),
    );
    expect(portal.spec).toEqual({
      version: 1,
      kind: "app_registration",
      document: "prod/Portal",
      backend: LOCAL,
      appKind: "web",
      appName: "Partner portal",
      clientId: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
      clientSecret: { source: "file", path: "../../../secrets/portal" },
      redirectUris: ["https://portal.example.com/xero/callback"],
      scopes: ["openid", "offline_access", "accounting.contacts.read"],
      companyUrl: "https://www.example.com",
      createdAfterGranularScopes: false,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, { input: portal.spec });
  });

  it("renders a PKCE app with no secret in its spec", () => {
    const stack = testStack();
    const desktop = new XeroAppRegistration(stack, "Desktop", pkceProps());
    expect(desktop.spec.clientSecret).toBeUndefined();
    expect(desktop.spec.redirectUris).toEqual(["http://localhost:5000/callback"]);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({ appKind: "pkce", redirectUris: ["http://localhost:5000/callback"] }),
    });
  });

  it("references a secret in the state backend by document name or by the construct owning it", () => {
    const stack = testStack();
    const owner = new XeroAppRegistration(stack, "Owner", customConnectionProps());
    const byName = new XeroAppRegistration(
      stack,
      "ByName",
      customConnectionProps({ clientId: "AAAABBBBCCCCDDDDEEEEFFFF00001111", clientSecret: XeroSecret.fromState("prod/Rotation", "client_secret") }),
    );
    const byOwner = new XeroAppRegistration(
      stack,
      "ByOwner",
      customConnectionProps({ clientId: "AAAABBBBCCCCDDDDEEEEFFFF00002222", clientSecret: XeroSecret.fromState(owner, "client_secret") }),
    );
    expect(byName.spec.clientSecret).toEqual({ source: "state", document: "prod/Rotation", key: "client_secret" });
    expect(byOwner.spec.clientSecret).toEqual({ source: "state", document: "prod/Owner", key: "client_secret" });
  });

  it("uses a PostgreSQL backend by schema and document, and its reads create no tables", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ state: XeroState.postgres({ schema: "cdktf_xero" }) }));
    expect(sync.spec.backend).toEqual({ type: "pg", schema: "cdktf_xero" });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveDataSourceWithProperties(TerraformRemoteState, {
      backend: "pg",
      config: { schema_name: "cdktf_xero", skip_schema_creation: true, skip_table_creation: true, skip_index_creation: true },
      workspace: "prod/Sync",
      defaults: STATUS_DEFAULTS,
    });
    expect(synthesized).toHaveResourceWithProperties(DataResource, { triggers_replace: { backend: "pg:cdktf_xero", document: "prod/Sync" } });
    expect(synthesized).not.toContain("conn_str");
  });

  it("writes a custom local directory relative to the stack directory and keeps an absolute one", () => {
    const stack = testStack();
    const relative = new XeroAppRegistration(stack, "Relative", customConnectionProps({ state: XeroState.local("var/xero") }));
    const absolute = new XeroAppRegistration(
      stack,
      "Absolute",
      customConnectionProps({ clientId: OTHER, state: XeroState.local("/srv/xero-state") }),
    );
    expect(relative.spec.backend).toEqual({ type: "local", dir: "../../../var/xero" });
    expect(absolute.spec.backend).toEqual({ type: "local", dir: "/srv/xero-state" });
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(TerraformRemoteState, {
      config: { path: "../../../var/xero/prod/Relative.tfstate" },
    });
  });

  it("accepts granular scopes on an app created after the cut-over", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(
      stack,
      "Sync",
      customConnectionProps({ createdAfterGranularScopes: true, scopes: [XeroScopes.ACCOUNTING_PAYMENTS, XeroScopes.ACCOUNTING_REPORTS_AGED_READ] }),
    );
    expect(sync.spec.createdAfterGranularScopes).toBe(true);
    expect(warningsOf(sync)).toEqual([]);
  });

  it("escapes ${ and %{ in literal strings so Terraform does not interpolate them", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ appName: "Sync ${var.x} %{if x}" }));
    const resource = element(synthObject(stack), "resource", "terraform_data", "Sync");
    expect((resource.body["input"] as { appName: string }).appName).toBe("Sync $${var.x} %%{if x}");
    expect(sync.spec.appName).toBe("Sync ${var.x} %{if x}");
    expect(resource.body["triggers_replace"]).toEqual([hashHookSpec(sync.spec), expect.any(String)]);
  });

  it("nests its document name under the construct path below the stack", () => {
    const stack = testStack();
    const team = new Construct(stack, "Finance");
    const sync = new XeroAppRegistration(team, "Sync", customConnectionProps());
    expect(sync.documentName).toBe("prod/Finance/Sync");
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(TerraformRemoteState, {
      config: { path: "../../../.cdktf-xero/state/prod/Finance/Sync.tfstate" },
    });
  });

  it("points the hooks at the hook launcher of this package, relative to the stack directory", () => {
    const stack = testStack();
    new XeroAppRegistration(stack, "Sync", customConnectionProps());
    const resource = element(synthObject(stack), "resource", "terraform_data", "Sync");
    const command = (resource.body["provisioner"] as Array<{ "local-exec": { command: string } }>)[0]!["local-exec"].command;
    const script = command.split(" ")[1]!;
    expect(path.resolve("cdktf.out/stacks/prod", script)).toBe(path.resolve("dist/cli/hook-launcher.js"));
  });
});

describe("XeroAppRegistration warnings", () => {
  it("warns, not fails, on a client id of 31 characters", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ clientId: CLIENT_ID.slice(1) }));
    expect(warningsOf(sync)).toEqual([
      `clientId "${CLIENT_ID.slice(1)}" is not 32 upper-case hexadecimal characters like the client ids Xero issues (e.g. 6E4D953BAAE949D1A1B399307AD58B94); check it was copied whole`,
    ]);
  });

  it("warns, not fails, on a lower-case client id", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ clientId: CLIENT_ID.toLowerCase() }));
    expect(warningsOf(sync)).toEqual([
      `clientId "${CLIENT_ID.toLowerCase()}" is not 32 upper-case hexadecimal characters like the client ids Xero issues (e.g. 6E4D953BAAE949D1A1B399307AD58B94); check it was copied whole`,
    ]);
  });

  it("warns when a Web app with API scopes lacks offline_access", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps({ scopes: [XeroScopes.OPENID, XeroScopes.ACCOUNTING_CONTACTS_READ] }));
    expect(warningsOf(portal)).toEqual([
      'scopes has no "offline_access", so Xero issues no refresh token and API access ends when the 30-minute access token expires; add XeroScopes.OFFLINE_ACCESS unless that is intended',
    ]);
  });

  it("does not warn about offline_access for a sign-in-only Web app", () => {
    const stack = testStack();
    const signIn = new XeroAppRegistration(stack, "SignIn", webProps({ scopes: [XeroScopes.OPENID, XeroScopes.PROFILE, XeroScopes.EMAIL] }));
    expect(warningsOf(signIn)).toEqual([]);
  });

  it("warns that a broad scope on an older app is being retired", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ scopes: [XeroScopes.ACCOUNTING_REPORTS_READ] }));
    expect(warningsOf(sync)).toEqual([
      'scopes[0] "accounting.reports.read" is a broad scope that Xero retires by September 2027; use the granular scopes accounting.reports.aged.read, accounting.reports.balancesheet.read, accounting.reports.profitandloss.read, accounting.reports.trialbalance.read, accounting.reports.banksummary.read, accounting.reports.budgetsummary.read, accounting.reports.executivesummary.read, accounting.reports.taxreports.read instead when you can',
    ]);
  });
});

const OTHER = "FEDCBA9876543210FEDCBA9876543210";
