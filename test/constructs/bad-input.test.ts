import { TerraformStack, Token } from "cdktf";
import {
  Duration,
  XeroAppKind,
  XeroAppRegistration,
  XeroCustomConnection,
  XeroScopes,
  XeroSecret,
  XeroState,
  type XeroAppRegistrationProps,
  type XeroCustomConnectionProps,
} from "../../index";
import { CLIENT_ID, customConnectionProps, errorOf, pkceProps, testStack, webProps } from "./support";

type Build = (stack: TerraformStack) => unknown;

const app = (props: XeroAppRegistrationProps, id = "App"): Build => (stack) => new XeroAppRegistration(stack, id, props);
const link = (props: Partial<Record<keyof XeroCustomConnectionProps, unknown>>): Build => (stack) => {
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
  return new XeroCustomConnection(stack, "Link", { app: sync, ...props } as XeroCustomConnectionProps);
};
const manyUris = (count: number): string[] => Array.from({ length: count }, (_, i) => `https://app.example.com/cb/${i}`);
const PORTAL_FIX = "copy the client id from the app's page in the Xero developer portal";
const SECRET_FACTORIES = 'XeroSecret.fromEnv("NAME"), XeroSecret.fromFile(path) or XeroSecret.fromState(document, key)';

const cases: Array<[string, Build, string]> = [
  ["an empty client id", app(webProps({ clientId: "" })), `prod/App: clientId must not be empty or whitespace; ${PORTAL_FIX}`],
  ["a whitespace client id", app(webProps({ clientId: "   " })), `prod/App: clientId must not be empty or whitespace; ${PORTAL_FIX}`],
  [
    "a client id with surrounding whitespace",
    app(webProps({ clientId: ` ${CLIENT_ID}` })),
    `prod/App: clientId " ${CLIENT_ID}" has leading or trailing whitespace; remove it`,
  ],
  ["a client id that is a number", app(webProps({ clientId: 42 })), `prod/App: clientId must be a string, got 42; ${PORTAL_FIX}`],
  [
    "a client id that is a Terraform token",
    app(webProps({ clientId: Token.asString({ resolve: () => "x" }) })),
    "prod/App: clientId must be a literal string, not a Terraform token (the hook spec must be complete in cdk.tf.json)",
  ],
  [
    "an http redirect URI that is not localhost",
    app(webProps({ redirectUris: ["https://ok.example.com/cb", "http://example.com/cb"] })),
    'prod/App: redirectUris[1] must use https (or http://localhost), got "http://example.com/cb"',
  ],
  [
    "an http redirect URI on 127.0.0.1",
    app(pkceProps({ redirectUris: ["http://127.0.0.1:5000/cb"] })),
    'prod/App: redirectUris[0] must use https (or http://localhost), got "http://127.0.0.1:5000/cb"',
  ],
  [
    "a wildcard redirect URI",
    app(webProps({ redirectUris: ["https://*.example.com/cb"] })),
    'prod/App: redirectUris[0] must not contain a wildcard, got "https://*.example.com/cb"; Xero matches redirect URIs exactly, so list each one',
  ],
  [
    "a custom-scheme redirect URI",
    app(pkceProps({ redirectUris: ["myapp://callback"] })),
    'prod/App: redirectUris[0] must use https (or http://localhost), got "myapp://callback"; Xero does not accept custom schemes',
  ],
  [
    "a relative redirect URI",
    app(webProps({ redirectUris: ["/xero/callback"] })),
    'prod/App: redirectUris[0] must be an absolute URL such as "https://app.example.com/callback", got "/xero/callback"',
  ],
  [
    "a redirect URI with a fragment",
    app(webProps({ redirectUris: ["https://app.example.com/cb#done"] })),
    'prod/App: redirectUris[0] must not contain a fragment ("#..."), got "https://app.example.com/cb#done"',
  ],
  [
    "more than 50 redirect URIs",
    app(webProps({ redirectUris: manyUris(51) })),
    "prod/App: redirectUris has 51 entries, but Xero allows at most 50 per app; remove some",
  ],
  [
    "a duplicate redirect URI",
    app(webProps({ redirectUris: ["https://a.example.com/cb", "https://b.example.com/cb", "https://a.example.com/cb"] })),
    'prod/App: redirectUris[2] repeats redirectUris[0] "https://a.example.com/cb"; list each URI once',
  ],
  [
    "no redirect URI on a Web app",
    app(webProps({ redirectUris: undefined })),
    "prod/App: redirectUris must list at least one URI for a web app: register it in the Xero developer portal and declare it here (it is CData's CallbackURL)",
  ],
  [
    "redirect URIs on a Custom Connection",
    app(customConnectionProps({ redirectUris: ["https://app.example.com/cb"] })),
    "prod/App: redirectUris must be empty for a Custom Connection: client credentials use no redirect; remove them",
  ],
  [
    "a secret on a PKCE app",
    app(pkceProps({ clientSecret: XeroSecret.fromEnv("DESKTOP_SECRET") })),
    "prod/App: clientSecret must not be set for a PKCE app: Xero issues PKCE apps no secret; remove it",
  ],
  [
    "a Web app without a secret",
    app(webProps({ clientSecret: undefined })),
    `prod/App: clientSecret is required for a web app: reference it with ${SECRET_FACTORIES}`,
  ],
  [
    "a Custom Connection without a secret",
    app(customConnectionProps({ clientSecret: undefined })),
    `prod/App: clientSecret is required for a Custom Connection: reference it with ${SECRET_FACTORIES}`,
  ],
  [
    "a plain-string secret",
    app(webProps({ clientSecret: "s3cr3t-value-never-shown" })),
    `prod/App: clientSecret must be a XeroSecret reference, got a plain string; never put a secret in code, use ${SECRET_FACTORIES}`,
  ],
  [
    "fromEnv with a bad variable name",
    app(webProps({ clientSecret: XeroSecret.fromEnv("1-BAD NAME") })),
    'prod/App: clientSecret XeroSecret.fromEnv("1-BAD NAME") needs an environment variable name of letters, digits and "_", not starting with a digit, e.g. "XERO_CLIENT_SECRET"',
  ],
  [
    "fromFile with an empty path",
    app(webProps({ clientSecret: XeroSecret.fromFile(" ") })),
    'prod/App: clientSecret XeroSecret.fromFile(" ") needs the path of the file holding the secret, e.g. "secrets/xero-client-secret"',
  ],
  [
    "fromState with a bad document name",
    app(webProps({ clientSecret: XeroSecret.fromState("prod/Rotation.lock", "client_secret") })),
    'prod/App: clientSecret XeroSecret.fromState("prod/Rotation.lock", "client_secret"): document name "prod/Rotation.lock" must not contain "." or ".." segments or end a segment in ".lock"',
  ],
  [
    "fromState with a bad key",
    app(webProps({ clientSecret: XeroSecret.fromState("prod/Rotation", "client secret") })),
    'prod/App: clientSecret XeroSecret.fromState("prod/Rotation", "client secret") needs a key of letters, digits, ".", "_" or "-" starting with a letter, e.g. "client_secret"',
  ],
  [
    "an unknown scope",
    app(customConnectionProps({ scopes: ["accounting.everything"] })),
    'prod/App: scopes[0] "accounting.everything" is not a Xero scope; use the XeroScopes constants, or XeroScopes.custom("accounting.everything") for a scope Xero added after this release of cdktf-xero',
  ],
  [
    "a scope with the wrong case, with a suggestion",
    app(customConnectionProps({ scopes: ["Accounting.Contacts.Read"] })),
    'prod/App: scopes[0] "Accounting.Contacts.Read" is not a Xero scope (did you mean "accounting.contacts.read"?); use the XeroScopes constants',
  ],
  [
    "an identity scope on a Custom Connection",
    app(customConnectionProps({ scopes: [XeroScopes.ACCOUNTING_CONTACTS, XeroScopes.OFFLINE_ACCESS] })),
    'prod/App: scopes[1] "offline_access" is an identity scope, which a Custom Connection cannot use (client credentials have no user and get no refresh token); remove it',
  ],
  [
    "a broad scope on a Web app created after 2 March 2026",
    app(webProps({ createdAfterGranularScopes: true, scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_TRANSACTIONS] })),
    'prod/App: scopes[1] "accounting.transactions" is a broad scope, which apps created on or after 2 March 2026 cannot use; use the granular scopes accounting.invoices, accounting.invoices.read, accounting.payments, accounting.payments.read, accounting.banktransactions, accounting.banktransactions.read, accounting.manualjournals, accounting.manualjournals.read instead',
  ],
  [
    "a broad scope on a Custom Connection created after 29 April 2026",
    app(customConnectionProps({ createdAfterGranularScopes: true, scopes: [XeroScopes.ACCOUNTING_JOURNALS_READ] })),
    'prod/App: scopes[0] "accounting.journals.read" is a broad scope, which Custom Connections created on or after 29 April 2026 cannot use; Xero offers no granular replacement; remove it',
  ],
  [
    "granular and broad scopes mixed for one area",
    app(customConnectionProps({ scopes: [XeroScopes.ACCOUNTING_TRANSACTIONS_READ, XeroScopes.ACCOUNTING_INVOICES_READ] })),
    'prod/App: scopes mix the broad scope "accounting.transactions.read" with the granular scope "accounting.invoices.read" for the same area; Xero grants an area either way but not both, so keep one',
  ],
  ["empty scopes", app(customConnectionProps({ scopes: [] })), "prod/App: scopes must list at least one scope, e.g. [XeroScopes.ACCOUNTING_CONTACTS_READ]"],
  [
    "scopes that are not a list",
    app(customConnectionProps({ scopes: "accounting.contacts" })),
    'prod/App: scopes must be a list of scope strings, e.g. [XeroScopes.ACCOUNTING_CONTACTS_READ], got "accounting.contacts"',
  ],
  [
    "a repeated scope",
    app(customConnectionProps({ scopes: [XeroScopes.FILES, XeroScopes.ASSETS, XeroScopes.FILES] })),
    'prod/App: scopes[2] repeats scopes[0] "files"; list each scope once',
  ],
  [
    "an empty app name",
    app(customConnectionProps({ appName: "" })),
    'prod/App: appName must not be empty or whitespace; use the app\'s name from the Xero developer portal, e.g. "Nightly sync"',
  ],
  [
    "an app name with surrounding whitespace",
    app(customConnectionProps({ appName: "Nightly sync " })),
    'prod/App: appName "Nightly sync " has leading or trailing whitespace; remove it',
  ],
  [
    "an app name with a control character",
    app(customConnectionProps({ appName: "Nightly\nsync" })),
    'prod/App: appName "Nightly\\nsync" contains control characters; remove them',
  ],
  [
    "a company URL without a scheme",
    app(webProps({ companyUrl: "www.example.com" })),
    'prod/App: companyUrl must be an absolute http(s) URL such as "https://www.example.com", got "www.example.com"',
  ],
  [
    "a company URL with another scheme",
    app(webProps({ companyUrl: "ftp://example.com" })),
    'prod/App: companyUrl must be an absolute http(s) URL such as "https://www.example.com", got "ftp://example.com"',
  ],
  [
    "an unknown app kind",
    app(webProps({ kind: "oauth" })),
    'prod/App: kind must be XeroAppKind.WEB, XeroAppKind.PKCE or XeroAppKind.CUSTOM_CONNECTION, got "oauth"',
  ],
  [
    "an unknown hook resource",
    app(customConnectionProps({ hookResource: "local_exec" })),
    'prod/App: hookResource must be "terraform_data" or "null_resource" (XeroHookResource.TERRAFORM_DATA or .NULL_RESOURCE), got "local_exec"',
  ],
  [
    "a PostgreSQL schema Terraform's pg backend would mangle",
    app(customConnectionProps({ state: XeroState.postgres({ schema: "Xero-State" }) })),
    'prod/App: state XeroState.postgres({ schema: "Xero-State" }) needs a schema name of lower-case letters, digits and "_" (at most 63, not starting with a digit), e.g. "cdktf_xero"',
  ],
  [
    "the PostgreSQL schema public",
    app(customConnectionProps({ state: XeroState.postgres({ schema: "public" }) })),
    'prod/App: state XeroState.postgres({ schema: "public" }): pg schema "public" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything else in the database): give the credential state a schema of its own, e.g. cdktf_xero',
  ],
  [
    "a PostgreSQL system schema pg_*",
    app(customConnectionProps({ state: XeroState.postgres({ schema: "pg_catalog" }) })),
    'prod/App: state XeroState.postgres({ schema: "pg_catalog" }): pg schema "pg_catalog" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything else in the database): give the credential state a schema of its own, e.g. cdktf_xero',
  ],
  [
    "the PostgreSQL schema information_schema",
    app(customConnectionProps({ state: XeroState.postgres({ schema: "information_schema" }) })),
    'prod/App: state XeroState.postgres({ schema: "information_schema" }): pg schema "information_schema" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything else in the database): give the credential state a schema of its own, e.g. cdktf_xero',
  ],
  [
    "an empty local state directory",
    app(customConnectionProps({ state: XeroState.local("") })),
    'prod/App: state XeroState.local("") needs a directory, e.g. XeroState.local(".cdktf-xero/state")',
  ],
  [
    "a state that is not a XeroState",
    app(customConnectionProps({ state: "pg:xero" })),
    'prod/App: state must be XeroState.local(dir) or XeroState.postgres({ schema }), got "pg:xero"',
  ],
  [
    "a construct id that cannot name a document",
    app(customConnectionProps(), "Nightly Sync"),
    'prod/Nightly Sync: this construct\'s path cannot name its credential document: document name "prod/Nightly Sync" must be segments of letters, digits, ".", "_" or "-" joined by "/"; use construct ids of letters, digits, ".", "_" and "-"',
  ],
  [
    "a construct id too long for a file name",
    app(customConnectionProps(), "A".repeat(201)),
    `prod/${"A".repeat(201)}: this construct's path cannot name its credential document: document name segment "${"A".repeat(40)}…" ` +
      "is 201 characters long; the limit is 200 per segment (a segment is a file name, and file systems allow 255 bytes); use " +
      "shorter construct ids (or stack name)",
  ],
  [
    "two registrations of one client id in a stack",
    (stack) => {
      new XeroAppRegistration(stack, "First", customConnectionProps());
      return new XeroAppRegistration(stack, "Second", customConnectionProps({ appName: "Again" }));
    },
    `prod/Second: clientId "${CLIENT_ID}" is already registered in this stack by prod/First; declare each app once and reference that construct`,
  ],
  [
    "a link to a Web app",
    (stack) => {
      const portal = new XeroAppRegistration(stack, "Portal", webProps());
      return new XeroCustomConnection(stack, "Link", { app: portal });
    },
    "prod/Link: app prod/Portal is a web app, but only a Custom Connection links to an organisation; use an XeroAppRegistration of kind XeroAppKind.CUSTOM_CONNECTION",
  ],
  [
    "a link to a PKCE app",
    (stack) => {
      const desktop = new XeroAppRegistration(stack, "Desktop", pkceProps());
      return new XeroCustomConnection(stack, "Link", { app: desktop });
    },
    "prod/Link: app prod/Desktop is a PKCE app, but only a Custom Connection links to an organisation; use an XeroAppRegistration of kind XeroAppKind.CUSTOM_CONNECTION",
  ],
  [
    "a link to something that is not a registration",
    (stack) => new XeroCustomConnection(stack, "Link", { app: { appKind: "custom_connection" } } as unknown as XeroCustomConnectionProps),
    "prod/Link: app must be an XeroAppRegistration of kind XeroAppKind.CUSTOM_CONNECTION, got an object",
  ],
  [
    "a second link for one Custom Connection",
    (stack) => {
      const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
      new XeroCustomConnection(stack, "First", { app: sync });
      return new XeroCustomConnection(stack, "Second", { app: sync });
    },
    "prod/Second: app prod/Sync is already linked by prod/First; a Custom Connection links to exactly one organisation",
  ],
  [
    "a negative waitForLink",
    link({ waitForLink: -1 }),
    "prod/Link: waitForLink must be a Duration from 0 to 86400 seconds (24 hours), got -1; e.g. Duration.minutes(10)",
  ],
  [
    "a negative waitForLink Duration",
    link({ waitForLink: Duration.seconds(-5) }),
    "prod/Link: waitForLink must be a whole number of seconds from 0 to 86400 (24 hours), got Duration.seconds(-5); e.g. Duration.minutes(10)",
  ],
  [
    "a waitForLink that looks like milliseconds",
    link({ waitForLink: 300000 }),
    "prod/Link: waitForLink must be a Duration from 0 to 86400 seconds (24 hours), got 300000; e.g. Duration.minutes(10)",
  ],
  [
    "a waitForLink Duration longer than 24 hours",
    link({ waitForLink: Duration.hours(25) }),
    "prod/Link: waitForLink must be a whole number of seconds from 0 to 86400 (24 hours), got Duration.hours(25); e.g. Duration.minutes(10)",
  ],
  [
    "a fractional waitForLink",
    link({ waitForLink: 1.5 }),
    "prod/Link: waitForLink must be a Duration from 0 to 86400 seconds (24 hours), got 1.5; e.g. Duration.minutes(10)",
  ],
  [
    "a fractional waitForLink Duration",
    link({ waitForLink: Duration.seconds(1.5) }),
    "prod/Link: waitForLink must be a whole number of seconds from 0 to 86400 (24 hours), got Duration.seconds(1.5); e.g. Duration.minutes(10)",
  ],
  [
    "a waitForLink given as a bare number of seconds",
    link({ waitForLink: 90 }),
    "prod/Link: waitForLink must be a Duration from 0 to 86400 seconds (24 hours), got 90; for 90 seconds write Duration.seconds(90)",
  ],
  [
    "a waitForLink given as a string",
    link({ waitForLink: "10m" }),
    'prod/Link: waitForLink must be a Duration from 0 to 86400 seconds (24 hours), got "10m"; e.g. Duration.minutes(10)',
  ],
  [
    "an expected tenant id that is not a uuid",
    link({ expectedTenantId: "Demo Company" }),
    `prod/Link: expectedTenantId must be a tenant id (a uuid such as "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4"), got "Demo Company"; GET https://api.xero.com/connections with the connection's token shows it, or leave it out and read the link's tenantId after a deploy`,
  ],
  [
    "a whitespace expected tenant name",
    link({ expectedTenantName: "  " }),
    "prod/Link: expectedTenantName must not be empty or whitespace; use the organisation's name as Xero shows it",
  ],
  ["an unlinkOnDestroy that is not a boolean", link({ unlinkOnDestroy: "yes" }), 'prod/Link: unlinkOnDestroy must be true or false, got "yes"'],
];

describe("bad input at synth", () => {
  it.each(cases)("rejects %s with the exact message", (_name, build, message) => {
    expect(errorOf(() => build(testStack()))).toBe(message);
  });

  it("has at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it("reports every problem of one construct together, one per line", () => {
    expect(errorOf(() => app(webProps({ clientId: "", kind: XeroAppKind.WEB, redirectUris: ["http://example.com/cb"] }))(testStack()))).toBe(
      [
        `prod/App: clientId must not be empty or whitespace; ${PORTAL_FIX}`,
        'prod/App: redirectUris[0] must use https (or http://localhost), got "http://example.com/cb"',
      ].join("\n"),
    );
  });

  it("never shows a plain-string secret in its message", () => {
    expect(errorOf(() => app(customConnectionProps({ clientSecret: "s3cr3t-value-never-shown" }))(testStack()))).not.toContain("s3cr3t");
  });

  it("accepts exactly 50 redirect URIs", () => {
    expect(() => app(webProps({ redirectUris: manyUris(50) }))(testStack())).not.toThrow();
  });

  it("accepts http://localhost on any port", () => {
    expect(() => app(pkceProps({ redirectUris: ["http://localhost/cb", "http://localhost:8080/cb"] }))(testStack())).not.toThrow();
  });

  it("accepts one client id in two stacks", () => {
    const first = testStack();
    const second = new TerraformStack(first.node.scope!, "staging");
    new XeroAppRegistration(first, "Sync", customConnectionProps());
    expect(() => new XeroAppRegistration(second, "Sync", customConnectionProps())).not.toThrow();
  });
});
