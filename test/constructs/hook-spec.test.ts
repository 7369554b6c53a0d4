import { canonicalJson, hashHookSpec, HookSpecError, parseHookSpec, parseHookSpecJson } from "../../contract/hook-spec";
import type { AppRegistrationSpec } from "../../contract/registration";
import type { CustomConnectionLinkSpec } from "../../contract/link";
import { formatCdataJdbcUrl } from "../../contract/cdata-jdbc-url";
import { scopeInfo, scopesOf } from "../../contract/scopes";

const registration: AppRegistrationSpec = {
  version: 1,
  kind: "app_registration",
  document: "prod/Sync",
  backend: { type: "local", dir: "../../.cdktf-xero/state" },
  appKind: "custom_connection",
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
  redirectUris: [],
  scopes: ["accounting.invoices.read"],
  createdAfterGranularScopes: true,
};

const link: CustomConnectionLinkSpec = {
  version: 1,
  kind: "custom_connection_link",
  document: "prod/Link",
  backend: { type: "pg", schema: "xero" },
  app: {
    document: "prod/Sync",
    backend: { type: "local", dir: "../../.cdktf-xero/state" },
    appName: "Nightly sync",
    clientId: "6E4D953BAAE949D1A1B399307AD58B94",
    clientSecret: { source: "state", document: "prod/Rotation", key: "client_secret" },
    scopes: ["accounting.invoices.read"],
  },
  expectedTenantId: "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4",
  waitForLinkSeconds: 300,
  unlinkOnDestroy: false,
};

function problemsOf(value: unknown): readonly string[] {
  try {
    parseHookSpec(value);
  } catch (error) {
    if (error instanceof HookSpecError) return error.problems;
    throw error;
  }
  throw new Error("expected a HookSpecError");
}

describe("parseHookSpec", () => {
  it("returns a valid registration spec unchanged", () => {
    expect(parseHookSpec(JSON.parse(JSON.stringify(registration)))).toEqual(registration);
  });

  it("returns a valid link spec unchanged", () => {
    expect(parseHookSpec(JSON.parse(JSON.stringify(link)))).toEqual(link);
  });

  it("treats null optional fields as absent, as Terraform renders them", () => {
    expect(parseHookSpec({ ...link, expectedTenantName: null, expectedTenantId: null })).toEqual({
      ...link,
      expectedTenantId: undefined,
    });
  });

  it("rejects another spec version with the fix", () => {
    expect(problemsOf({ ...registration, version: 2 })).toEqual([
      "spec.version must be 1, got 2: synthesize and run hooks with the same cdktf-xero version",
    ]);
  });

  it("rejects a value that is not an object", () => {
    expect(problemsOf("{}")).toEqual(['spec must be an object, got "{}"']);
  });

  it("lists every problem, naming each field", () => {
    expect(
      problemsOf({ ...registration, appKind: "pkce", clientSecret: { source: "env", name: "1BAD" }, scopes: [], extra: 1 }),
    ).toEqual([
      'spec.clientSecret.name must be an environment variable name, got "1BAD"',
      "spec.scopes must be a non-empty list of strings, got a list of 0",
      "spec.clientSecret must not be set for a PKCE app: Xero issues PKCE apps no secret; remove it",
      "spec.redirectUris must list at least one URI for a PKCE app: register it in the Xero developer portal and declare it here (it is CData's CallbackURL)",
      "spec.extra is not a field of this spec",
    ]);
  });

  it("requires a secret for a web app", () => {
    const { clientSecret: _omitted, ...withoutSecret } = registration;
    expect(problemsOf({ ...withoutSecret, appKind: "web", redirectUris: ["https://example.com/cb"] })).toEqual([
      'spec.clientSecret is required for a web app: reference it with XeroSecret.fromEnv("NAME"), XeroSecret.fromFile(path) or XeroSecret.fromState(document, key)',
    ]);
  });

  it("rejects a link whose tenant id is not a uuid and whose wait is negative", () => {
    expect(problemsOf({ ...link, expectedTenantId: "acme", waitForLinkSeconds: -1 })).toEqual([
      'spec.expectedTenantId must be a tenant id (a uuid such as "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4"), got "acme"; GET https://api.xero.com/connections with the connection\'s token shows it, or leave it out and read the link\'s tenantId after a deploy',
      "spec.waitForLinkSeconds must be a whole number of seconds from 0 to 86400 (24 hours), got -1",
    ]);
  });

  it("checks the nested app of a link and its backend", () => {
    expect(problemsOf({ ...link, app: { ...link.app, backend: { type: "pg", schema: "Bad-Schema" } } })).toEqual([
      "spec.app.backend.schema must match /^[a-z_][a-z0-9_]{0,62}$/, got \"Bad-Schema\"",
    ]);
  });

  it("rejects repeated scopes and bad document names", () => {
    expect(problemsOf({ ...registration, document: "prod/../x", scopes: ["files", "files"] })).toEqual([
      'spec.document: document name "prod/../x" must be segments of letters, digits, ".", "_" or "-" joined by "/"',
      'spec.scopes[1] repeats "files"',
    ]);
  });

  it("parses JSON text and reports text that is not JSON", () => {
    expect(parseHookSpecJson(JSON.stringify(registration))).toEqual(registration);
    expect(() => parseHookSpecJson("{")).toThrow(HookSpecError);
  });
});

describe("hashHookSpec", () => {
  it("does not depend on key order", () => {
    const reordered = JSON.parse(canonicalJson(registration)) as AppRegistrationSpec;
    const reversed = Object.fromEntries(Object.entries(reordered).reverse()) as unknown as AppRegistrationSpec;
    expect(hashHookSpec(reversed)).toBe(hashHookSpec(registration));
    expect(hashHookSpec(registration)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the scope catalogue", () => {
  it("classifies broad, granular, identity and current scopes", () => {
    expect(scopeInfo("accounting.transactions")).toEqual({ name: "accounting.transactions", family: "broad", area: "transactions" });
    expect(scopeInfo("accounting.invoices.read")).toEqual({ name: "accounting.invoices.read", family: "granular", area: "transactions" });
    expect(scopeInfo("accounting.reports.aged.read")).toEqual({ name: "accounting.reports.aged.read", family: "granular", area: "reports" });
    expect(scopeInfo("offline_access")).toEqual({ name: "offline_access", family: "identity" });
    expect(scopeInfo("accounting.reports.tenninetynine.read")).toEqual({ name: "accounting.reports.tenninetynine.read", family: "current" });
    expect(scopeInfo("accounting.everything")).toBeUndefined();
  });

  it("lists the broad scopes", () => {
    expect(scopesOf("broad")).toEqual([
      "accounting.transactions",
      "accounting.transactions.read",
      "accounting.reports.read",
      "accounting.journals.read",
    ]);
  });
});

describe("formatCdataJdbcUrl", () => {
  it("renders a Custom Connection with AuthScheme=OAuthClient and no secret", () => {
    expect(formatCdataJdbcUrl({ appKind: "custom_connection", clientId: "ABC", scopes: ["files.read", "accounting.contacts"] })).toBe(
      "jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=ABC;Scope=files.read accounting.contacts;",
    );
  });

  it("renders a Web app with its callback URL, quoting a value that holds a semicolon", () => {
    expect(formatCdataJdbcUrl({ appKind: "web", clientId: "ABC", scopes: ["openid"], callbackUrl: "https://x.test/cb;a" })).toBe(
      'jdbc:xero:AuthScheme=OAuth;OAuthClientId=ABC;CallbackURL="https://x.test/cb;a";Scope=openid;',
    );
  });

  it("renders a PKCE app", () => {
    expect(formatCdataJdbcUrl({ appKind: "pkce", clientId: "ABC", scopes: ["openid"], callbackUrl: "http://localhost:5000/cb" })).toBe(
      "jdbc:xero:AuthScheme=PKCE;OAuthClientId=ABC;CallbackURL=http://localhost:5000/cb;Scope=openid;",
    );
  });
});
