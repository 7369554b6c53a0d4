import { TerraformOutput, Testing } from "cdktf";
import { ConnectionOutputs, type OAuthConnectionSpec } from "../../contract/connection";
import { canonicalJson, hashHookSpec, parseHookSpec } from "../../contract/hook-spec";
import {
  Duration,
  XeroAppRegistration,
  XeroConnectionOnDestroy,
  XeroOAuthConnection,
  XeroScopes,
  XeroSecret,
  XeroState,
  type XeroOAuthConnectionProps,
} from "../../index";
import * as cdktn from "../../constructs";
import { customConnectionProps, element, errorOf, OTHER_CLIENT_ID, pkceProps, synthObject, TENANT_ID, testStack, webProps } from "./support";

const LOCAL = { type: "local", dir: "../../../.cdktf-xero/state" } as const;
const THIRTY_DAYS = 30 * 86_400;

type Checks = Record<string, { assert: { condition: string; error_message: string }[] }>;

describe("XeroOAuthConnection with the defaults", () => {
  const stack = testStack();
  const portal = new XeroAppRegistration(stack, "Portal", webProps());
  const books = new XeroOAuthConnection(stack, "Books", { app: portal });
  new TerraformOutput(stack, "tenant_ids", { value: books.tenantIds });
  new TerraformOutput(stack, "tenant_names", { value: books.tenantNames });
  new TerraformOutput(stack, "granted_scopes", { value: books.grantedScopes });
  new TerraformOutput(stack, "user_email", { value: books.userEmail });
  new TerraformOutput(stack, "connected_at", { value: books.connectedAt });
  new TerraformOutput(stack, "refresh_token_expires_at", { value: books.refreshTokenExpiresAt });
  new TerraformOutput(stack, "status", { value: books.connectionStatus });
  const parsed = synthObject(stack);
  const expected: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: "prod/Books",
    backend: LOCAL,
    app: {
      document: "prod/Portal",
      backend: LOCAL,
      appName: "Partner portal",
      appKind: "web",
      clientId: OTHER_CLIENT_ID,
      clientSecret: { source: "env", name: "PORTAL_CLIENT_SECRET" },
      redirectUris: ["https://portal.example.com/xero/callback"],
      scopes: ["openid", "offline_access", "accounting.contacts.read"],
    },
    tenants: [],
    scopes: ["openid", "offline_access", "accounting.contacts.read"],
    keepAliveSeconds: THIRTY_DAYS,
    onDestroy: "retain",
  };

  it("synthesizes a spec asking for the app's scopes, any organisation, keepAlive 30 days and retain on destroy", () => {
    expect(books.spec).toEqual(expected);
    expect(parseHookSpec(JSON.parse(canonicalJson(books.spec)))).toEqual(expected);
  });

  it("runs its hook after the app's, and again when the refresh falls due (due_at at plan time)", () => {
    const appResource = element(parsed, "resource", "terraform_data", "Portal");
    const resource = element(parsed, "resource", "terraform_data", "Books");
    const status = element(parsed, "data", "terraform_remote_state", "Books_Status");
    expect(resource.body["depends_on"]).toEqual([`terraform_data.${appResource.id}`]);
    expect(resource.body["input"]).toEqual(expected);
    const triggers = resource.body["triggers_replace"] as string[];
    expect(triggers[0]).toBe(hashHookSpec(expected));
    expect(triggers[1]).toContain(`timecmp(plantimestamp(), data.terraform_remote_state.${status.id}.outputs.due_at)`);
  });

  it("reads the status with the connection's defaults, so a plan before any consent works", () => {
    const status = element(parsed, "data", "terraform_remote_state", "Books_Status");
    expect(status.body["defaults"]).toEqual(ConnectionOutputs.statusDefaults);
    expect((status.body["defaults"] as Record<string, unknown>)["connection_status"]).toBe("awaiting_consent");
  });

  it("reads back tenants, scopes, who consented, when, the refresh token's expiry and the status", () => {
    const state = element(parsed, "data", "terraform_remote_state", "Books_State");
    const ref = (output: string): string => `\${data.terraform_remote_state.${state.id}.outputs.${output}}`;
    expect(parsed.output).toEqual({
      tenant_ids: { value: ref("tenant_ids") },
      tenant_names: { value: ref("tenant_names") },
      granted_scopes: { value: ref("granted_scopes") },
      user_email: { value: ref("user_email") },
      connected_at: { value: ref("connected_at") },
      refresh_token_expires_at: { value: ref("refresh_token_expires_at") },
      status: { value: ref("connection_status") },
    });
  });

  it("renders a check that warns from refresh_due_at, fails past refresh_fail_at and while a new consent is needed", () => {
    const checks = (parsed as { check?: Checks }).check ?? {};
    const names = Object.keys(checks);
    expect(names).toEqual([expect.stringMatching(/^Books_Status_[0-9A-F]{8}_refresh_age$/)]);
    const status = `data.terraform_remote_state.${names[0]!.replace(/_refresh_age$/, "")}.outputs`;
    const [due, failing, consent] = checks[names[0]!]!.assert;
    expect(due?.condition).toBe(`\${try(timecmp(plantimestamp(), ${status}.refresh_due_at) < 0, true)}`);
    expect(due?.error_message).toContain("is older than its keepAlive");
    expect(due?.error_message).toContain("cdktf-xero refresh --due");
    expect(failing?.condition).toBe(`\${try(timecmp(plantimestamp(), ${status}.refresh_fail_at) < 0, true)}`);
    expect(failing?.error_message).toContain(`Xero expires it at \${${status}.refresh_token_expires_at}`);
    expect(consent?.condition).toBe(`\${try(${status}.connection_status != "needs_consent", true)}`);
    expect(consent?.error_message).toContain("run cdktf-xero connect prod/Books --backend local:.cdktf-xero/state");
  });

  it("puts no token, secret or envelope in cdk.tf.json: only the secret's reference", () => {
    const text = Testing.synth(stack);
    expect(text).not.toMatch(/refresh_token"\s*:|access_token"\s*:/);
    expect(text).not.toContain('"secrets"');
    expect(text).toContain('"PORTAL_CLIENT_SECRET"');
  });
});

describe("XeroOAuthConnection prop combinations", () => {
  it("takes a PKCE app, which has no client secret", () => {
    const stack = testStack();
    const desktop = new XeroAppRegistration(stack, "Desktop", pkceProps());
    const connection = new XeroOAuthConnection(stack, "Reports", { app: desktop });
    expect(connection.spec.app.appKind).toBe("pkce");
    expect(connection.spec.app).not.toHaveProperty("clientSecret");
    expect(connection.spec.app.redirectUris).toEqual(["http://localhost:5000/callback"]);
  });

  it("carries declared tenants, ids lower-cased and names trimmed", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps());
    const connection = new XeroOAuthConnection(stack, "Books", { app: portal, tenants: [TENANT_ID.toUpperCase(), " Demo Company (NZ) "] });
    expect(connection.spec.tenants).toEqual([TENANT_ID, "Demo Company (NZ)"]);
  });

  it("asks for a subset of the app's scopes, keepAlive as a Duration and revoke on destroy", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps());
    const connection = new XeroOAuthConnection(stack, "Books", {
      app: portal,
      scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_CONTACTS_READ],
      keepAlive: Duration.days(55),
      onDestroy: XeroConnectionOnDestroy.REVOKE,
    });
    expect(connection.spec.scopes).toEqual(["offline_access", "accounting.contacts.read"]);
    expect(connection.spec.keepAliveSeconds).toBe(55 * 86_400);
    expect(connection.spec.onDestroy).toBe("revoke");
  });

  it("keeps its document in its own backend, and names it in the check's connect command", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps());
    const connection = new XeroOAuthConnection(stack, "Books", { app: portal, state: XeroState.postgres({ schema: "connections" }) });
    expect(connection.spec.backend).toEqual({ type: "pg", schema: "connections" });
    expect(connection.spec.app.backend).toEqual(LOCAL);
    expect(JSON.stringify(synthObject(stack))).toContain("run cdktf-xero connect prod/Books --backend pg:connections");
  });

  it("is exported from the constructs folder the cdktn entry is built from", () => {
    expect(cdktn.XeroOAuthConnection).toBe(XeroOAuthConnection);
  });
});

describe("XeroOAuthConnection rejects bad input at synth, naming the value and the fix", () => {
  function connect(props: Partial<Record<keyof XeroOAuthConnectionProps, unknown>>, appProps = webProps()): string {
    return errorOf(() => {
      const stack = testStack();
      const app = new XeroAppRegistration(stack, "Portal", appProps);
      new XeroOAuthConnection(stack, "Books", { app, ...props } as XeroOAuthConnectionProps);
    });
  }

  it("refuses a Custom Connection app, pointing at XeroCustomConnection", () => {
    expect(connect({}, customConnectionProps())).toBe(
      'prod/Books: app prod/Portal is a Custom Connection, which no user consents to (it is linked by client credentials); use XeroCustomConnection for it, or an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.PKCE here',
    );
  });

  it("refuses something that is no app registration", () => {
    expect(errorOf(() => new XeroOAuthConnection(testStack(), "Books", { app: "prod/Portal" } as unknown as XeroOAuthConnectionProps))).toBe(
      'prod/Books: app must be an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.PKCE, got "prod/Portal"',
    );
  });

  it("refuses an app without offline_access, saying to add it", () => {
    const message = connect({}, webProps({ scopes: [XeroScopes.OPENID, XeroScopes.ACCOUNTING_CONTACTS_READ] }));
    expect(message).toContain('prod/Books: app.scopes ["openid","accounting.contacts.read"] lack "offline_access"');
    expect(message).toContain('add XeroScopes.offlineAccess (or "offline_access") to the app\'s scopes');
  });

  it("refuses scopes the app does not declare, listing them and the app's", () => {
    expect(connect({ scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES] })).toBe(
      'prod/Books: scopes ["accounting.invoices"] are not among the app\'s scopes ["openid","offline_access","accounting.contacts.read"]: a consent can only ask for scopes the app declares; add them to the app or remove them here',
    );
  });

  it("refuses a keepAlive past 55 days, showing the Duration given", () => {
    expect(connect({ keepAlive: Duration.days(60) })).toBe(
      "prod/Books: keepAlive must be a whole number of seconds from 3600 (1 hour) to 4752000 (55 days: Xero expires an unused refresh token after 60), got Duration.days(60); e.g. Duration.days(30)",
    );
  });

  it("refuses a bare number as keepAlive, naming the Duration to use", () => {
    expect(connect({ keepAlive: 30 })).toBe("prod/Books: keepAlive must be a Duration such as Duration.days(30), got 30");
  });

  it("refuses an onDestroy other than retain or revoke", () => {
    expect(connect({ onDestroy: "delete" })).toBe(
      'prod/Books: onDestroy must be "retain" or "revoke" (XeroConnectionOnDestroy.RETAIN or .REVOKE), got "delete"',
    );
  });

  it("refuses blank, repeated and almost-id tenants, one line each", () => {
    expect(connect({ tenants: [" ", "Demo", "demo ", "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c"] }).split("\n")).toEqual([
      'prod/Books: tenants[0] must not be empty or whitespace; e.g. ["Demo Company (NZ)"] or a tenant id',
      'prod/Books: tenants[2] repeats tenants[1] "demo"; list each organisation once',
      expect.stringMatching(/^prod\/Books: tenants\[3\] /),
    ]);
  });

  it("takes the secret reference of a Web app declared from state unchanged", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps({ clientSecret: XeroSecret.fromState("prod/Portal/rotation", "current") }));
    const connection = new XeroOAuthConnection(stack, "Books", { app: portal });
    expect(connection.spec.app.clientSecret).toEqual({ source: "state", document: "prod/Portal/rotation", key: "current" });
  });
});
