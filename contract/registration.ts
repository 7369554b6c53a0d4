/**
 * The app registration kind (`XeroAppRegistration`, `hook apply` proves the client live and records
 * what Xero granted): its spec, its rules (the one validator the construct runs at synth and the
 * hook at run time), its document outputs and their status defaults. Pure data, no I/O.
 */
import { ClientSecretSourceFields } from "./client-secret-source";
import { documentCodec, CommonOutputFields, listOutput, textOutput } from "./document-codec";
import { nearestScope, scopeInfo, scopesOf, type ScopeArea, type ScopeInfo } from "./scopes";
import {
  APP_KIND_LABEL,
  APP_KINDS,
  noFindings,
  type AppKind,
  type HookSpecBase,
  type KindFields,
  type RuleFindings,
  type SecretReference,
  type SpecReader,
} from "./spec-common";

/** `XeroAppRegistration`: prove the client live and record what Xero granted. */
export interface AppRegistrationSpec extends HookSpecBase {
  readonly kind: "app_registration";
  readonly appKind: AppKind;
  /** The app's name in the developer portal (for messages and the retire instructions). */
  readonly appName: string;
  readonly clientId: string;
  /** Present for `web` and `custom_connection`; absent for `pkce` (the portal issues no secret). */
  readonly clientSecret?: SecretReference;
  /** Registered redirect URIs, in declaration order; empty for `custom_connection`. */
  readonly redirectUris: readonly string[];
  /** Declared scopes, in declaration order, no duplicates. */
  readonly scopes: readonly string[];
  /**
   * The declared scopes cdktf-xero's catalogue (contract/scopes.ts) does not know, declared with
   * `XeroScopes.custom`: checked for shape only, and left to Xero. Absent when there are none.
   * Every other scope must be in the catalogue, as at synth.
   */
  readonly unknownScopes?: readonly string[];
  readonly companyUrl?: string;
  /** The app was created on or after the granular-scopes cut-over for its kind. */
  readonly createdAfterGranularScopes: boolean;
}

/** Xero allows this many redirect URIs per app. */
export const MAX_REDIRECT_URIS = 50;
/** The shape of every client id Xero has issued so far (not documented, so only a warning). */
export const CLIENT_ID_SHAPE = /^[0-9A-F]{32}$/;

/** How a construct references a secret: named in the fix for a missing one. */
export const SECRET_FACTORIES = 'XeroSecret.fromEnv("NAME"), XeroSecret.fromFile(path) or XeroSecret.fromState(document, key)';

const CUTOVER_TEXT: Readonly<Record<AppKind, string>> = {
  web: "apps created on or after 2 March 2026",
  pkce: "apps created on or after 2 March 2026",
  custom_connection: "Custom Connections created on or after 29 April 2026",
};

/** What the registration rules look at: the spec's fields, whether from a construct's props or a hook's spec. */
export type RegistrationRuleInput = Pick<
  AppRegistrationSpec,
  "appKind" | "clientId" | "clientSecret" | "redirectUris" | "scopes" | "unknownScopes" | "companyUrl" | "createdAfterGranularScopes"
>;

/**
 * Xero's rules for an app registration (from its developer portal). `at` prefixes every field
 * name: "" for a construct's props, `spec.` for a hook's spec.
 */
export function checkRegistration(input: RegistrationRuleInput, at: string): RuleFindings {
  const findings = noFindings();
  const { appKind } = input;
  const label = APP_KIND_LABEL[appKind];
  if (input.clientId !== "" && !CLIENT_ID_SHAPE.test(input.clientId)) {
    findings.warnings.push(
      `${at}clientId ${JSON.stringify(input.clientId)} is not 32 upper-case hexadecimal characters like the client ids Xero issues (e.g. 6E4D953BAAE949D1A1B399307AD58B94); check it was copied whole`,
    );
  }
  if (appKind === "pkce" && input.clientSecret !== undefined) {
    findings.errors.push(`${at}clientSecret must not be set for a PKCE app: Xero issues PKCE apps no secret; remove it`);
  }
  if (appKind !== "pkce" && input.clientSecret === undefined) {
    findings.errors.push(`${at}clientSecret is required for a ${label}: reference it with ${SECRET_FACTORIES}`);
  }
  checkRedirectUris(input, at, findings);
  if (input.companyUrl !== undefined && !isHttpUrl(input.companyUrl)) {
    findings.errors.push(`${at}companyUrl must be an absolute http(s) URL such as "https://www.example.com", got ${JSON.stringify(input.companyUrl)}`);
  }
  checkDeclaredScopes(input, at, findings);
  return findings;
}

function checkRedirectUris({ appKind, redirectUris }: RegistrationRuleInput, at: string, findings: RuleFindings): void {
  if (redirectUris.length === 0) {
    if (appKind !== "custom_connection") {
      findings.errors.push(
        `${at}redirectUris must list at least one URI for a ${APP_KIND_LABEL[appKind]}: register it in the Xero developer portal and declare it here (it is CData's CallbackURL)`,
      );
    }
    return;
  }
  if (appKind === "custom_connection") {
    findings.errors.push(`${at}redirectUris must be empty for a Custom Connection: client credentials use no redirect; remove them`);
    return;
  }
  if (redirectUris.length > MAX_REDIRECT_URIS) {
    findings.errors.push(`${at}redirectUris has ${redirectUris.length} entries, but Xero allows at most ${MAX_REDIRECT_URIS} per app; remove some`);
  }
  redirectUris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      findings.errors.push(`${at}redirectUris[${index}] ${problem}`);
      return;
    }
    const first = redirectUris.indexOf(uri);
    if (first !== index) findings.errors.push(`${at}redirectUris[${index}] repeats ${at}redirectUris[${first}] ${JSON.stringify(uri)}; list each URI once`);
  });
}

/** Xero: absolute, https except http://localhost (any port), no wildcards, no custom schemes. */
function redirectUriProblem(uri: string): string | undefined {
  const shown = JSON.stringify(uri);
  if (uri.includes("*")) return `must not contain a wildcard, got ${shown}; Xero matches redirect URIs exactly, so list each one`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `must be an absolute URL such as "https://app.example.com/callback", got ${shown}`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `must use https (or http://localhost), got ${shown}; Xero does not accept custom schemes`;
  }
  if (url.protocol === "http:" && url.hostname !== "localhost") return `must use https (or http://localhost), got ${shown}`;
  if (url.hash !== "" || uri.includes("#")) return `must not contain a fragment ("#..."), got ${shown}`;
  if (/\s/.test(uri)) return `must not contain whitespace, got ${shown}`;
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && !/\s/.test(value);
  } catch {
    return false;
  }
}

/**
 * The declared scopes against the catalogue: known, or declared unknown with `XeroScopes.custom`;
 * identity scopes on a Custom Connection; broad scopes after the cut-over (an error) or before (a
 * warning); broad and granular mixed for one area; no `offline_access` where a user signs in.
 */
function checkDeclaredScopes(input: RegistrationRuleInput, at: string, findings: RuleFindings): void {
  const { appKind, scopes } = input;
  const unknownScopes = input.unknownScopes ?? [];
  const known: Array<{ index: number; info: ScopeInfo }> = [];
  scopes.forEach((scope, index) => {
    const info = scopeInfo(scope);
    if (info !== undefined) known.push({ index, info });
    else if (!unknownScopes.includes(scope)) {
      const nearest = nearestScope(scope);
      findings.errors.push(
        nearest === undefined
          ? `${at}scopes[${index}] ${JSON.stringify(scope)} is not a Xero scope; use the XeroScopes constants, or XeroScopes.custom(${JSON.stringify(scope)}) for a scope Xero added after this release of cdktf-xero`
          : `${at}scopes[${index}] ${JSON.stringify(scope)} is not a Xero scope (did you mean ${JSON.stringify(nearest)}?); use the XeroScopes constants`,
      );
    }
  });
  unknownScopes.forEach((scope, index) => {
    if (!scopes.includes(scope)) findings.errors.push(`${at}unknownScopes[${index}] ${JSON.stringify(scope)} is not one of ${at}scopes`);
    else if (scopeInfo(scope) !== undefined) {
      findings.errors.push(`${at}unknownScopes[${index}] ${JSON.stringify(scope)} is a scope cdktf-xero knows; list it in ${at}scopes only`);
    }
  });

  for (const { index, info } of known) {
    const scope = `${at}scopes[${index}] ${JSON.stringify(info.name)}`;
    if (info.family === "identity" && appKind === "custom_connection") {
      findings.errors.push(
        `${scope} is an identity scope, which a Custom Connection cannot use (client credentials have no user and get no refresh token); remove it`,
      );
    }
    if (info.family === "broad" && info.area !== undefined) {
      const granular = scopesOf("granular", info.area);
      const instead = granular.length > 0 ? `use the granular scopes ${granular.join(", ")} instead` : "Xero offers no granular replacement; remove it";
      if (input.createdAfterGranularScopes) findings.errors.push(`${scope} is a broad scope, which ${CUTOVER_TEXT[appKind]} cannot use; ${instead}`);
      else findings.warnings.push(`${scope} is a broad scope that Xero retires by September 2027; ${instead} when you can`);
    }
  }

  for (const area of ["transactions", "reports", "journals"] as const satisfies readonly ScopeArea[]) {
    const broad = known.find(({ info }) => info.family === "broad" && info.area === area);
    const granular = known.find(({ info }) => info.family === "granular" && info.area === area);
    if (broad !== undefined && granular !== undefined) {
      findings.errors.push(
        `${at}scopes mix the broad scope ${JSON.stringify(broad.info.name)} with the granular scope ${JSON.stringify(granular.info.name)} for the same area; Xero grants an area either way but not both, so keep one`,
      );
    }
  }

  // A custom scope is an API scope: Xero's identity scopes are all known.
  const needsRefresh = appKind !== "custom_connection" && (unknownScopes.length > 0 || known.some(({ info }) => info.family !== "identity"));
  if (needsRefresh && !known.some(({ info }) => info.name === "offline_access")) {
    findings.warnings.push(
      `${at}scopes has no "offline_access", so Xero issues no refresh token and API access ends when the 30-minute access token expires; add XeroScopes.OFFLINE_ACCESS unless that is intended`,
    );
  }
}

/** Reads a registration's own fields from a spec and checks them with {@link checkRegistration}. */
export function readRegistration(reader: SpecReader): KindFields<AppRegistrationSpec> {
  const appKind = reader.oneOf("appKind", APP_KINDS);
  const clientSecret = reader.optional("clientSecret", (key) => reader.secret(key));
  const companyUrl = reader.optional("companyUrl", (key) => reader.text(key));
  const redirectUris = reader.strings("redirectUris", { allowEmpty: true });
  const scopes = reader.scopes("scopes");
  const unknownScopes = reader.optional("unknownScopes", (key) => reader.scopes(key));
  const fields: KindFields<AppRegistrationSpec> = {
    appKind: appKind ?? "web",
    appName: reader.text("appName"),
    clientId: reader.text("clientId"),
    ...(clientSecret === undefined ? {} : { clientSecret }),
    redirectUris,
    scopes,
    ...(unknownScopes === undefined ? {} : { unknownScopes }),
    ...(companyUrl === undefined ? {} : { companyUrl }),
    createdAfterGranularScopes: reader.boolean("createdAfterGranularScopes"),
  };
  if (appKind !== undefined) reader.problems.push(...checkRegistration(fields, `${reader.path}.`).errors);
  return fields;
}

/** A registration document's outputs (read back as construct attributes). */
export const RegistrationOutputs = documentCodec({
  ...CommonOutputFields,
  /** The app kind, `web` | `pkce` | `custom_connection`. */
  kind: textOutput<AppKind, "kind">("kind", ""),
  /**
   * The scopes Xero granted, sorted: a Custom Connection's, read from its token. Web and PKCE apps:
   * [] (Xero grants their scopes per user consent, and no consent is recorded by the registration),
   * see `declared_scopes`.
   */
  grantedScopes: listOutput("granted_scopes", []),
  /**
   * The declared scopes, sorted. For Web and PKCE apps, proved requestable by Xero's authorize
   * endpoint with every declared redirect URI; not granted to anyone.
   */
  declaredScopes: listOutput("declared_scopes", []),
  /** The CData JDBC URL without any secret (see `formatCdataJdbcUrl`). */
  jdbcUrl: textOutput("jdbc_url", ""),
  /** The declared redirect URIs, as declared ([] for a Custom Connection): drift probes them from the document alone. */
  redirectUris: listOutput("redirect_uris"),
  ...ClientSecretSourceFields,
});
