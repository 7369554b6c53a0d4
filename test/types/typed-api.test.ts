/**
 * The constructs' typed API, checked by the TypeScript compiler: small programs that must not
 * compile (with the exact diagnostic) and ones that must, against the sources, as a user's project
 * imports them ("cdktf-xero", mapped to index.ts by tsconfig.json). The snippets live in memory only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../support/checkout";

const PRELUDE = `import { App, TerraformStack } from "cdktf";
import { Duration, XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret } from "cdktf-xero";
const stack = new TerraformStack(new App(), "prod");
void Duration; void XeroAppKind; void XeroCustomConnection; void XeroScopes; void XeroSecret;
`;

const snippets: Record<string, string> = {
  pkceWithSecret: `${PRELUDE}XeroAppRegistration.pkce(stack, "Field", {
  appName: "Field app",
  clientId: "11112222333344445555666677778888",
  clientSecret: XeroSecret.fromEnv("FIELD_SECRET"),
  redirectUris: ["http://localhost:8765/callback"],
  scopes: [XeroScopes.OPENID],
});
`,
  customConnectionWithRedirectUris: `${PRELUDE}XeroAppRegistration.customConnection(stack, "Sync", {
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
  redirectUris: ["https://example.com/cb"],
  scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
});
`,
  webWithoutSecret: `${PRELUDE}XeroAppRegistration.web(stack, "Portal", {
  appName: "Customer portal",
  clientId: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
  redirectUris: ["https://portal.example.com/xero/callback"],
  scopes: [XeroScopes.OPENID],
});
`,
  misspeltScope: `${PRELUDE}XeroAppRegistration.customConnection(stack, "Sync", {
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
  scopes: ["accounting.invoice.read"],
});
`,
  plainStringScope: `${PRELUDE}const scope: string = "accounting.invoices.read";
new XeroAppRegistration(stack, "Sync", {
  kind: XeroAppKind.CUSTOM_CONNECTION,
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
  scopes: [scope],
});
`,
  waitForLinkNumber: `${PRELUDE}const sync = XeroAppRegistration.customConnection(stack, "Sync", {
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
  scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
});
new XeroCustomConnection(stack, "Link", { app: sync, waitForLink: 600 });
`,
  valid: `${PRELUDE}const sync: XeroAppRegistration = XeroAppRegistration.customConnection(stack, "Sync", {
  appName: "Nightly sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
  scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, "accounting.contacts.read", XeroScopes.custom("accounting.creditnotes.read")],
});
new XeroCustomConnection(stack, "Link", { app: sync, waitForLink: Duration.minutes(10) });
const web: XeroAppRegistration = XeroAppRegistration.web(stack, "Portal", {
  appName: "Customer portal",
  clientId: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
  clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
  redirectUris: ["https://portal.example.com/xero/callback"],
  scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS],
});
const pkce: XeroAppRegistration = XeroAppRegistration.pkce(stack, "Field", {
  appName: "Field app",
  clientId: "11112222333344445555666677778888",
  redirectUris: ["http://localhost:8765/callback"],
  scopes: [XeroScopes.OPENID],
});
const bag: XeroAppRegistration = new XeroAppRegistration(stack, "Bag", {
  kind: XeroAppKind.PKCE,
  appName: "Desktop reporter",
  clientId: "FEDCBA9876543210FEDCBA9876543210",
  redirectUris: ["http://localhost:5000/callback"],
  scopes: ["offline_access"],
});
void web; void pkce; void bag;
`,
};

/** The ```ts blocks of the README's "Declaring Xero apps" section. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Declaring Xero apps\n");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

const readme = readmeExamples();
const virtualFiles = new Map<string, string>([
  ...Object.entries(snippets).map(([name, text]) => [join(PROJECT_ROOT, "test", "types", `${name}.snippet.ts`), text] as const),
  ...readme.map((text, index) => [join(PROJECT_ROOT, "test", "types", `readme-${index}.snippet.ts`), text] as const),
]);

let program: ts.Program | undefined;

/** One program for every snippet: the compiler loads cdktf's types once. */
function compiled(): ts.Program {
  if (program !== undefined) return program;
  const configPath = join(PROJECT_ROOT, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, PROJECT_ROOT, { noEmit: true, types: ["node"] }, configPath);
  const host = ts.createCompilerHost(parsed.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => virtualFiles.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtualFiles.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtualFiles.get(path);
    return text === undefined ? getSourceFile.call(host, path, language, onError, create) : ts.createSourceFile(path, text, language);
  };
  program = ts.createProgram({ rootNames: [...virtualFiles.keys()], options: parsed.options, host });
  return program;
}

/** `TS<code> line <n>: <message>` for each diagnostic of one snippet. */
function diagnosticsOf(name: string): string[] {
  const path = join(PROJECT_ROOT, "test", "types", `${name}.snippet.ts`);
  const source = compiled().getSourceFile(path);
  if (source === undefined) throw new Error(`no source file for ${name}`);
  return [...compiled().getSyntacticDiagnostics(source), ...compiled().getSemanticDiagnostics(source)].map((diagnostic) => {
    const line = diagnostic.file === undefined || diagnostic.start === undefined ? 0 : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    return `TS${diagnostic.code} line ${line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  });
}

// The prelude is 4 lines, so a snippet's own first line is line 5.
describe("the typed API, as the TypeScript compiler sees it", () => {
  jest.setTimeout(120_000);

  it("compiles the factories, the props-bag constructor, typed and custom scopes and a Duration wait", () => {
    expect(diagnosticsOf("valid")).toEqual([]);
  });

  it("rejects a clientSecret passed to XeroAppRegistration.pkce", () => {
    expect(diagnosticsOf("pkceWithSecret")).toEqual([
      "TS2353 line 8: Object literal may only specify known properties, and 'clientSecret' does not exist in type 'XeroPkceAppProps'.",
    ]);
  });

  it("rejects redirectUris passed to XeroAppRegistration.customConnection", () => {
    expect(diagnosticsOf("customConnectionWithRedirectUris")).toEqual([
      "TS2353 line 9: Object literal may only specify known properties, and 'redirectUris' does not exist in type 'XeroCustomConnectionAppProps'.",
    ]);
  });

  it("requires a clientSecret for XeroAppRegistration.web", () => {
    const literal = `{ appName: string; clientId: string; redirectUris: string[]; scopes: "openid"[]; }`;
    expect(diagnosticsOf("webWithoutSecret")).toEqual([
      `TS2345 line 5: Argument of type '${literal}' is not assignable to parameter of type 'XeroWebAppProps'.\n  ` +
        `Property 'clientSecret' is missing in type '${literal}' but required in type 'XeroWebAppProps'.`,
    ]);
  });

  it("rejects a misspelt scope string", () => {
    expect(diagnosticsOf("misspeltScope")).toEqual([
      `TS2820 line 9: Type '"accounting.invoice.read"' is not assignable to type 'XeroScope'. Did you mean '"accounting.invoices.read"'?`,
    ]);
  });

  it("rejects a scope typed as a plain string", () => {
    expect(diagnosticsOf("plainStringScope")).toEqual(["TS2322 line 11: Type 'string' is not assignable to type 'XeroScope'."]);
  });

  it("rejects waitForLink as a bare number", () => {
    expect(diagnosticsOf("waitForLinkNumber")).toEqual(["TS2322 line 11: Type 'number' is not assignable to type 'Duration'."]);
  });

  it("compiles every example in the README's Declaring Xero apps section", () => {
    expect(readme.length).toBeGreaterThanOrEqual(2);
    expect(readme.flatMap((_, index) => diagnosticsOf(`readme-${index}`))).toEqual([]);
  });
});
