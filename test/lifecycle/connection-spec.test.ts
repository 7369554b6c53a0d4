import { ConnectionPolicy, connectionProblems, isTenantId, type OAuthConnectionSpec } from "../../contract/connection";
import { HookSpecError, parseHookSpec } from "../../contract/hook-spec";

/** The oauth_connection spec's rules (contract/connection.ts), as the hook reads a spec from outside. */

const app = {
  document: "crm/CrmApp",
  backend: { type: "local", dir: "../../state" },
  appName: "CRM sync",
  appKind: "web",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: { source: "env", name: "XERO_CRM_SECRET" },
  redirectUris: ["http://localhost:8765/callback"],
  scopes: ["offline_access", "accounting.invoices", "accounting.contacts.read"],
} as const;

const valid = {
  version: 1,
  kind: "oauth_connection",
  document: "crm/CrmConnection",
  backend: { type: "local", dir: "../../state" },
  app,
  tenants: ["Demo Company (NZ)"],
  scopes: ["offline_access", "accounting.invoices"],
  keepAliveSeconds: ConnectionPolicy.defaultKeepAliveSeconds,
  onDestroy: "retain",
};

function problemsOf(value: unknown): readonly string[] {
  try {
    parseHookSpec(value);
  } catch (error) {
    if (error instanceof HookSpecError) return error.problems;
    throw error;
  }
  return [];
}

describe("oauth_connection spec", () => {
  it("parses a valid Web app connection spec unchanged", () => {
    expect(parseHookSpec(valid) as OAuthConnectionSpec).toEqual(valid);
  });

  it("parses a PKCE app connection, which has no client secret", () => {
    const { clientSecret: _secret, ...pkce } = app;
    expect(problemsOf({ ...valid, app: { ...pkce, appKind: "pkce" } })).toEqual([]);
  });

  it("requires a Web app's client secret reference", () => {
    const { clientSecret: _secret, ...web } = app;
    expect(problemsOf({ ...valid, app: web })).toEqual(["spec.app.clientSecret is required for a web app"]);
  });

  it("refuses a client secret for a PKCE app", () => {
    expect(problemsOf({ ...valid, app: { ...app, appKind: "pkce" } })).toEqual(["spec.app.clientSecret must be absent for a PKCE app (Xero issues it none)"]);
  });

  it("sends a Custom Connection to XeroCustomConnection", () => {
    expect(problemsOf({ ...valid, app: { ...app, appKind: "custom_connection" } })).toEqual([
      'spec.app.appKind is "custom_connection": a Custom Connection has no user consent; link it with XeroCustomConnection instead',
    ]);
  });

  it("refuses an app without offline_access, naming the fix", () => {
    expect(problemsOf({ ...valid, app: { ...app, scopes: ["accounting.invoices"] }, scopes: ["accounting.invoices"] })).toEqual([
      'spec.app.scopes ["accounting.invoices"] lack "offline_access": without it Xero sends no refresh token and a consent lasts 30 minutes; add XeroScopes.offlineAccess (or "offline_access") to the app\'s scopes',
      'spec.scopes ["accounting.invoices"] lack "offline_access": the connection keeps a refresh token alive, so it must ask for one; add it',
    ]);
  });

  it("refuses scopes the app does not declare", () => {
    expect(problemsOf({ ...valid, scopes: ["offline_access", "payroll.employees"] })).toEqual([
      'spec.scopes ["payroll.employees"] are not among the app\'s scopes ["offline_access","accounting.invoices","accounting.contacts.read"]: a consent can only ask for scopes the app declares; add them to the app or remove them here',
    ]);
  });

  it("refuses a keepAlive past 55 days, the point five days before Xero's 60", () => {
    expect(problemsOf({ ...valid, keepAliveSeconds: 56 * 86_400 })).toEqual([
      "spec.keepAliveSeconds must be a whole number of seconds from 3600 (1 hour) to 4752000 (55 days: Xero expires an unused refresh token after 60), got 4838400 s",
    ]);
  });

  it("accepts a keepAlive of exactly 55 days", () => {
    expect(problemsOf({ ...valid, keepAliveSeconds: ConnectionPolicy.maxKeepAliveSeconds })).toEqual([]);
  });

  it("refuses an organisation listed twice, whatever its case", () => {
    expect(problemsOf({ ...valid, tenants: ["Demo Company (NZ)", "demo company (nz) "] })).toEqual([
      'spec.tenants[1] repeats spec.tenants[0] "demo company (nz) "; list each organisation once',
    ]);
  });

  it("takes a uuid as a tenant id and anything else as an organisation name", () => {
    expect(isTenantId("8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4")).toBe(true);
    expect(isTenantId("Demo Company (NZ)")).toBe(false);
  });

  it("reports a mistyped tenant id instead of taking it for a name", () => {
    const problems = problemsOf({ ...valid, tenants: ["8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c"] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^spec\.tenants\[0\] must be a tenant id \(a uuid/);
  });

  it("refuses an onDestroy other than retain or revoke", () => {
    expect(problemsOf({ ...valid, onDestroy: "delete" })).toEqual(['spec.onDestroy must be one of retain, revoke, got "delete"']);
  });

  it("names construct props without the spec prefix", () => {
    expect(connectionProblems({ app: { appKind: "web", scopes: ["offline_access"] }, tenants: [], scopes: ["offline_access"], keepAliveSeconds: 60 }, "")).toEqual([
      "keepAlive must be a whole number of seconds from 3600 (1 hour) to 4752000 (55 days: Xero expires an unused refresh token after 60), got 60 s",
    ]);
  });
});
