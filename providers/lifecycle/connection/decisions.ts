import { isTenantId, type OAuthConnectionSpec } from "../../../contract/connection";
import { scopesOf } from "../../../contract/scopes";
import type { XeroConnection } from "../../xero/parse-api";

/** Pure decisions of a consented connection's hooks, tested without a network. */

const SECOND_MS = 1_000;
const IDENTITY_SCOPES: ReadonlySet<string> = new Set(scopesOf("identity"));

/**
 * Whether a declared tenant is this connection: an id compares case-insensitively (ids are uuids),
 * a name after trimming and case-insensitively (people type names from Xero's organisation list).
 */
export function isDeclaredTenant(declared: string, connection: Pick<XeroConnection, "tenantId" | "tenantName">): boolean {
  return isTenantId(declared)
    ? declared.toLowerCase() === connection.tenantId.toLowerCase()
    : declared.trim().toLowerCase() === connection.tenantName.trim().toLowerCase();
}

/** What the live consent covers, measured against the declaration. */
export type ConsentCoverage =
  | { readonly kind: "covered" }
  | {
      readonly kind: "mismatch";
      /** Declared tenants (as declared) that no live connection is. */
      readonly missingTenants: readonly string[];
      /** Declared scopes Xero did not grant. */
      readonly missingScopes: readonly string[];
      /** No organisation is connected, though the declaration asks for API scopes (which need one). */
      readonly noOrganisation: boolean;
    };

/**
 * Every declared tenant must be among the live connections and every declared scope among the
 * granted ones. Organisations the user ticked beyond the declared ones are fine (they are recorded).
 * With no tenants declared, any organisation will do, but API scopes need at least one.
 */
export function decideCoverage(
  declared: Pick<OAuthConnectionSpec, "tenants" | "scopes">,
  live: { readonly connections: readonly XeroConnection[]; readonly grantedScopes: readonly string[] },
): ConsentCoverage {
  const missingTenants = declared.tenants.filter((tenant) => !live.connections.some((connection) => isDeclaredTenant(tenant, connection)));
  const missingScopes = declared.scopes.filter((scope) => !live.grantedScopes.includes(scope));
  const noOrganisation = live.connections.length === 0 && declared.scopes.some((scope) => !IDENTITY_SCOPES.has(scope));
  if (missingTenants.length === 0 && missingScopes.length === 0 && !noOrganisation) return { kind: "covered" };
  return { kind: "mismatch", missingTenants, missingScopes, noOrganisation };
}

/** When a refresh token issued at `issuedAt` falls due under `keepAliveSeconds`. */
export function refreshDueAt(issuedAt: Date, keepAliveSeconds: number): Date {
  return new Date(issuedAt.getTime() + keepAliveSeconds * SECOND_MS);
}

/** Whether the stored refresh token is older than keepAlive, so this apply refreshes it (through the locked path). */
export function isRefreshDue(issuedAt: Date, keepAliveSeconds: number, now: Date): boolean {
  return now.getTime() >= refreshDueAt(issuedAt, keepAliveSeconds).getTime();
}
