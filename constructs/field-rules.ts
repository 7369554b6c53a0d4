/**
 * Synth-time rules for the plain fields of the constructs: pure functions returning messages
 * without the construct path (the caller prefixes it). Xero's rules, from its developer portal.
 */
import { Token } from "cdktf";
import type { AppKind } from "../contract/hook-spec";
import { MAX_WAIT_FOR_LINK_SECONDS, UUID_PATTERN } from "../contract/hook-spec";
import { APP_KIND_LABEL } from "./app-kind";
import { Duration } from "./duration";
import { describeValue } from "./errors";

/** Xero allows this many redirect URIs per app. */
export const MAX_REDIRECT_URIS = 50;
/** The shape of every client id Xero has issued so far (not documented, so only a warning). */
export const CLIENT_ID_SHAPE = /^[0-9A-F]{32}$/;

export interface FieldCheck<T> {
  readonly value: T;
  readonly errors: string[];
  readonly warnings: string[];
}

const TOKEN_HINT = "a literal string, not a Terraform token (the hook spec must be complete in cdk.tf.json)";

/** A required literal string: present, not a token, not blank, no surrounding whitespace. */
export function checkText(field: string, value: unknown, fix: string): FieldCheck<string> {
  const errors: string[] = [];
  if (typeof value !== "string") errors.push(`${field} must be a string, got ${describeValue(value)}; ${fix}`);
  else if (Token.isUnresolved(value)) errors.push(`${field} must be ${TOKEN_HINT}`);
  else if (value.trim() === "") errors.push(`${field} must not be empty or whitespace; ${fix}`);
  else if (value.trim() !== value) errors.push(`${field} ${JSON.stringify(value)} has leading or trailing whitespace; remove it`);
  else if (/\p{Cc}/u.test(value)) errors.push(`${field} ${JSON.stringify(value)} contains control characters; remove them`);
  return { value: typeof value === "string" ? value : "", errors, warnings: [] };
}

export function checkClientId(value: unknown): FieldCheck<string> {
  const result = checkText("clientId", value, "copy the client id from the app's page in the Xero developer portal");
  if (result.errors.length === 0 && !CLIENT_ID_SHAPE.test(result.value)) {
    result.warnings.push(
      `clientId ${JSON.stringify(result.value)} is not 32 upper-case hexadecimal characters like the client ids Xero issues (e.g. 6E4D953BAAE949D1A1B399307AD58B94); check it was copied whole`,
    );
  }
  return result;
}

export function checkRedirectUris(kind: AppKind, value: unknown): FieldCheck<string[]> {
  const errors: string[] = [];
  const label = APP_KIND_LABEL[kind];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    if (kind !== "custom_connection") {
      errors.push(
        `redirectUris must list at least one URI for a ${label}: register it in the Xero developer portal and declare it here (it is CData's CallbackURL)`,
      );
    }
    return { value: [], errors, warnings: [] };
  }
  if (!Array.isArray(value) || Token.isUnresolved(value)) {
    errors.push(`redirectUris must be a list of URL strings, got ${describeValue(value)}`);
    return { value: [], errors, warnings: [] };
  }
  if (kind === "custom_connection") {
    errors.push(`redirectUris must be empty for a Custom Connection: client credentials use no redirect; remove them`);
    return { value: [], errors, warnings: [] };
  }
  if (value.length > MAX_REDIRECT_URIS) {
    errors.push(`redirectUris has ${value.length} entries, but Xero allows at most ${MAX_REDIRECT_URIS} per app; remove some`);
  }
  value.forEach((uri: unknown, index) => {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      errors.push(`redirectUris[${index}] ${problem}`);
      return;
    }
    const first = value.indexOf(uri);
    if (first !== index) errors.push(`redirectUris[${index}] repeats redirectUris[${first}] ${JSON.stringify(uri)}; list each URI once`);
  });
  return { value: value.filter((uri): uri is string => typeof uri === "string"), errors, warnings: [] };
}

/** Xero: absolute, https except http://localhost (any port), no wildcards, no custom schemes. */
function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== "string") return `must be a URL string, got ${describeValue(uri)}`;
  if (Token.isUnresolved(uri)) return `must be ${TOKEN_HINT}`;
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

export function checkCompanyUrl(value: unknown): FieldCheck<string | undefined> {
  if (value === undefined) return { value: undefined, errors: [], warnings: [] };
  const fix = `got ${describeValue(value)}`;
  if (typeof value !== "string" || Token.isUnresolved(value)) {
    return { value: undefined, errors: [`companyUrl must be ${TOKEN_HINT}, ${fix}`], warnings: [] };
  }
  try {
    const url = new URL(value);
    if ((url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && !/\s/.test(value)) {
      return { value, errors: [], warnings: [] };
    }
  } catch {
    // falls through to the message below
  }
  return {
    value: undefined,
    errors: [`companyUrl must be an absolute http(s) URL such as "https://www.example.com", ${fix}`],
    warnings: [],
  };
}

export function checkTenantId(value: unknown): FieldCheck<string | undefined> {
  if (value === undefined) return { value: undefined, errors: [], warnings: [] };
  if (typeof value === "string" && !Token.isUnresolved(value) && UUID_PATTERN.test(value)) {
    return { value: value.toLowerCase(), errors: [], warnings: [] };
  }
  return {
    value: undefined,
    errors: [
      `expectedTenantId must be a tenant id (a uuid such as "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4"), got ${describeValue(value)}; GET https://api.xero.com/connections with the connection's token shows it, or leave it out and read the link's tenantId after a deploy`,
    ],
    warnings: [],
  };
}

/** A `Duration` only: a bare number hides its unit (seconds? milliseconds?), so it is refused with the Duration it meant. */
export function checkWaitForLink(value: unknown): FieldCheck<number> {
  if (value === undefined) return { value: 0, errors: [], warnings: [] };
  const range = `from 0 to ${MAX_WAIT_FOR_LINK_SECONDS} seconds (24 hours)`;
  if (!(value instanceof Duration)) {
    const meant = typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_WAIT_FOR_LINK_SECONDS;
    return {
      value: 0,
      errors: [
        `waitForLink must be a Duration ${range}, got ${describeValue(value)}; ${meant ? `for ${value} seconds write Duration.seconds(${value})` : "e.g. Duration.minutes(10)"}`,
      ],
      warnings: [],
    };
  }
  const seconds = value.toSeconds();
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_WAIT_FOR_LINK_SECONDS) {
    return {
      value: 0,
      errors: [`waitForLink must be a whole number of seconds from 0 to ${MAX_WAIT_FOR_LINK_SECONDS} (24 hours), got ${value.toString()}; e.g. Duration.minutes(10)`],
      warnings: [],
    };
  }
  return { value: seconds, errors: [], warnings: [] };
}

export function checkBoolean(field: string, value: unknown, fallback: boolean): FieldCheck<boolean> {
  if (value === undefined) return { value: fallback, errors: [], warnings: [] };
  if (typeof value === "boolean") return { value, errors: [], warnings: [] };
  return { value: fallback, errors: [`${field} must be true or false, got ${describeValue(value)}`], warnings: [] };
}
