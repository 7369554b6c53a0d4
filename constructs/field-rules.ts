/**
 * Synth-time checks of the plain props of the constructs, before the kind's rules (contract/) see
 * them: types, Terraform tokens (the spec must be literal), Durations. Pure functions returning
 * messages without the construct path (the caller prefixes it).
 */
import { Token } from "cdktf";
import { tenantIdProblem, waitForLinkProblem, MAX_WAIT_FOR_LINK_SECONDS } from "../contract/link";
import { Duration } from "./duration";
import { describeValue } from "./errors";

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
  return checkText("clientId", value, "copy the client id from the app's page in the Xero developer portal");
}

/** A list of literal strings (the registration rules check them as URIs); absent counts as empty. */
export function checkRedirectUris(value: unknown): FieldCheck<string[]> {
  if (value === undefined) return { value: [], errors: [], warnings: [] };
  if (!Array.isArray(value) || Token.isUnresolved(value)) {
    return { value: [], errors: [`redirectUris must be a list of URL strings, got ${describeValue(value)}`], warnings: [] };
  }
  const errors: string[] = [];
  value.forEach((uri: unknown, index) => {
    if (typeof uri !== "string") errors.push(`redirectUris[${index}] must be a URL string, got ${describeValue(uri)}`);
    else if (Token.isUnresolved(uri)) errors.push(`redirectUris[${index}] must be ${TOKEN_HINT}`);
  });
  return { value: errors.length > 0 ? [] : (value as string[]), errors, warnings: [] };
}

/** A literal string, if given (the registration rules check it is a URL). */
export function checkCompanyUrl(value: unknown): FieldCheck<string | undefined> {
  if (value === undefined) return { value: undefined, errors: [], warnings: [] };
  if (typeof value !== "string" || Token.isUnresolved(value)) {
    return { value: undefined, errors: [`companyUrl must be ${TOKEN_HINT}, got ${describeValue(value)}`], warnings: [] };
  }
  return { value, errors: [], warnings: [] };
}

export function checkTenantId(value: unknown): FieldCheck<string | undefined> {
  if (value === undefined) return { value: undefined, errors: [], warnings: [] };
  const problem = typeof value === "string" && !Token.isUnresolved(value) ? tenantIdProblem(value) : tenantIdProblem(describeValue(value), value);
  if (problem === undefined) return { value: (value as string).toLowerCase(), errors: [], warnings: [] };
  return { value: undefined, errors: [`expectedTenantId ${problem}`], warnings: [] };
}

/** A `Duration` only: a bare number hides its unit (seconds? milliseconds?), so it is refused with the Duration it meant. */
export function checkWaitForLink(value: unknown): FieldCheck<number> {
  if (value === undefined) return { value: 0, errors: [], warnings: [] };
  if (!(value instanceof Duration)) {
    const meant = typeof value === "number" && waitForLinkProblem(value) === undefined;
    return {
      value: 0,
      errors: [
        `waitForLink must be a Duration from 0 to ${MAX_WAIT_FOR_LINK_SECONDS} seconds (24 hours), got ${describeValue(value)}; ${meant ? `for ${value} seconds write Duration.seconds(${value})` : "e.g. Duration.minutes(10)"}`,
      ],
      warnings: [],
    };
  }
  const problem = waitForLinkProblem(value.toSeconds());
  if (problem !== undefined) return { value: 0, errors: [`waitForLink ${problem}, got ${value.toString()}; e.g. Duration.minutes(10)`], warnings: [] };
  return { value: value.toSeconds(), errors: [], warnings: [] };
}

export function checkBoolean(field: string, value: unknown, fallback: boolean): FieldCheck<boolean> {
  if (value === undefined) return { value: fallback, errors: [], warnings: [] };
  if (typeof value === "boolean") return { value, errors: [], warnings: [] };
  return { value: fallback, errors: [`${field} must be true or false, got ${describeValue(value)}`], warnings: [] };
}
