/**
 * Synth-time rules for declared scopes: pure functions of the declaration, returning messages
 * (without the construct path, which the caller prefixes).
 */
import { Token } from "cdktf";
import type { AppKind } from "../contract/hook-spec";
import { nearestScope, scopeInfo, scopesOf, scopeTokenProblem, XeroCustomScope, type ScopeArea, type ScopeInfo } from "../contract/scopes";
import { describeValue } from "./errors";
import type { FieldCheck } from "./field-rules";

const CUTOVER_TEXT: Readonly<Record<AppKind, string>> = {
  web: "apps created on or after 2 March 2026",
  pkce: "apps created on or after 2 March 2026",
  custom_connection: "Custom Connections created on or after 29 April 2026",
};

const EXAMPLE = "e.g. [XeroScopes.ACCOUNTING_CONTACTS_READ]";

/** The declared scopes as the spec has them: names in declaration order, and which of them the catalogue does not know. */
export interface DeclaredScopes {
  readonly scopes: string[];
  /** Declared with {@link XeroScopes.custom} and not in the catalogue; checked for shape only. */
  readonly unknownScopes: string[];
}

/** Checks a declared scope list for an app of `kind`. */
export function checkScopes(kind: AppKind, value: unknown, createdAfterGranularScopes: boolean): FieldCheck<DeclaredScopes> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const none: DeclaredScopes = { scopes: [], unknownScopes: [] };
  if (!Array.isArray(value) || Token.isUnresolved(value)) {
    errors.push(`scopes must be a list of scope strings, ${EXAMPLE}, got ${describeValue(value)}`);
    return { value: none, errors, warnings };
  }
  if (value.length === 0) {
    errors.push(`scopes must list at least one scope, ${EXAMPLE}`);
    return { value: none, errors, warnings };
  }

  const names = value.map((scope: unknown) => (XeroCustomScope.isXeroCustomScope(scope) ? scope.name : scope));
  const known: Array<{ index: number; info: ScopeInfo }> = [];
  const unknownScopes: string[] = [];
  names.forEach((scope: unknown, index) => {
    const custom: unknown = value[index];
    if (typeof scope !== "string" || Token.isUnresolved(scope)) {
      errors.push(`scopes[${index}] must be a scope string such as XeroScopes.FILES_READ, got ${describeValue(scope)}`);
      return;
    }
    const first = names.indexOf(scope);
    if (first !== index) {
      errors.push(`scopes[${index}] repeats scopes[${first}] ${JSON.stringify(scope)}; list each scope once`);
      return;
    }
    const info = scopeInfo(scope);
    if (info !== undefined) {
      known.push({ index, info });
      return;
    }
    if (XeroCustomScope.isXeroCustomScope(custom)) {
      const problem = scopeTokenProblem(scope);
      if (problem !== undefined) {
        errors.push(`scopes[${index}] ${problem}, got ${String(custom)}; write the scope exactly as Xero documents it`);
        return;
      }
      unknownScopes.push(scope);
      return;
    }
    const nearest = nearestScope(scope);
    errors.push(
      nearest === undefined
        ? `scopes[${index}] ${JSON.stringify(scope)} is not a Xero scope; use the XeroScopes constants, or XeroScopes.custom(${JSON.stringify(scope)}) for a scope Xero added after this release of cdktf-xero`
        : `scopes[${index}] ${JSON.stringify(scope)} is not a Xero scope (did you mean ${JSON.stringify(nearest)}?); use the XeroScopes constants`,
    );
  });

  for (const { index, info } of known) {
    const at = `scopes[${index}] ${JSON.stringify(info.name)}`;
    if (info.family === "identity" && kind === "custom_connection") {
      errors.push(
        `${at} is an identity scope, which a Custom Connection cannot use (client credentials have no user and get no refresh token); remove it`,
      );
    }
    if (info.family === "broad" && info.area !== undefined) {
      const granular = scopesOf("granular", info.area);
      const instead = granular.length > 0 ? `use the granular scopes ${granular.join(", ")} instead` : "Xero offers no granular replacement; remove it";
      if (createdAfterGranularScopes) {
        errors.push(`${at} is a broad scope, which ${CUTOVER_TEXT[kind]} cannot use; ${instead}`);
      } else {
        warnings.push(`${at} is a broad scope that Xero retires by September 2027; ${instead} when you can`);
      }
    }
  }

  for (const area of ["transactions", "reports", "journals"] as const satisfies readonly ScopeArea[]) {
    const broad = known.find(({ info }) => info.family === "broad" && info.area === area);
    const granular = known.find(({ info }) => info.family === "granular" && info.area === area);
    if (broad !== undefined && granular !== undefined) {
      errors.push(
        `scopes mix the broad scope ${JSON.stringify(broad.info.name)} with the granular scope ${JSON.stringify(granular.info.name)} for the same area; Xero grants an area either way but not both, so keep one`,
      );
    }
  }

  // A custom scope is an API scope: Xero's identity scopes are all known.
  const needsRefresh = kind !== "custom_connection" && (unknownScopes.length > 0 || known.some(({ info }) => info.family !== "identity"));
  if (needsRefresh && !known.some(({ info }) => info.name === "offline_access")) {
    warnings.push(
      `scopes has no "offline_access", so Xero issues no refresh token and API access ends when the 30-minute access token expires; add XeroScopes.OFFLINE_ACCESS unless that is intended`,
    );
  }

  return { value: { scopes: names.filter((scope): scope is string => typeof scope === "string"), unknownScopes }, errors, warnings };
}
