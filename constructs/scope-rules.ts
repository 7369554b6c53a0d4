/**
 * Synth-time checks of the declared scopes as props, before the registration rules
 * (contract/registration.ts) check them against Xero's catalogue: a literal list of strings or
 * `XeroScopes.custom` scopes, each once. Messages without the construct path (the caller prefixes it).
 */
import { Token } from "cdktf";
import { scopeInfo, scopeTokenProblem, XeroCustomScope } from "../contract/scopes";
import { describeValue } from "./errors";
import type { FieldCheck } from "./field-rules";

const EXAMPLE = "e.g. [XeroScopes.ACCOUNTING_CONTACTS_READ]";

/** The declared scopes as the spec has them: names in declaration order, and which of them the catalogue does not know. */
export interface DeclaredScopes {
  readonly scopes: string[];
  /** Declared with {@link XeroScopes.custom} and not in the catalogue; checked for shape only. */
  readonly unknownScopes: string[];
}

/** Reads a declared scope list; a scope Xero added later is declared with `XeroScopes.custom`. */
export function checkScopes(value: unknown): FieldCheck<DeclaredScopes> {
  const errors: string[] = [];
  const none: DeclaredScopes = { scopes: [], unknownScopes: [] };
  if (!Array.isArray(value) || Token.isUnresolved(value)) {
    return { value: none, errors: [`scopes must be a list of scope strings, ${EXAMPLE}, got ${describeValue(value)}`], warnings: [] };
  }
  if (value.length === 0) return { value: none, errors: [`scopes must list at least one scope, ${EXAMPLE}`], warnings: [] };

  const names = value.map((scope: unknown) => (XeroCustomScope.isXeroCustomScope(scope) ? scope.name : scope));
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
    if (!XeroCustomScope.isXeroCustomScope(custom) || scopeInfo(scope) !== undefined) return;
    const problem = scopeTokenProblem(scope);
    if (problem !== undefined) errors.push(`scopes[${index}] ${problem}, got ${String(custom)}; write the scope exactly as Xero documents it`);
    else unknownScopes.push(scope);
  });
  // With a bad entry the list is not what was meant: the registration rules see none of it.
  const scopes = errors.length > 0 ? [] : (names as string[]);
  return { value: { scopes, unknownScopes: errors.length > 0 ? [] : unknownScopes }, errors, warnings: [] };
}
