import type { XeroConnection } from "../../xero/parse-api";

/** Pure decisions of a Custom Connection's link hook, tested without a network. */

/** What a Custom Connection's GET /connections means for its link. */
export type LinkDecision =
  | { readonly kind: "not_linked" }
  | { readonly kind: "too_many"; readonly connections: readonly XeroConnection[] }
  | { readonly kind: "tenant_mismatch"; readonly connection: XeroConnection }
  | { readonly kind: "linked"; readonly connection: XeroConnection };

export interface ExpectedTenant {
  readonly tenantId?: string;
  readonly tenantName?: string;
}

/**
 * Exactly one connection, and the expected one. Tenant ids compare case-insensitively (they are
 * uuids); names after trimming and case-insensitively (people type them from the portal).
 */
export function decideLink(connections: readonly XeroConnection[], expected: ExpectedTenant): LinkDecision {
  if (connections.length === 0) return { kind: "not_linked" };
  const [connection] = connections;
  if (connections.length > 1 || connection === undefined) return { kind: "too_many", connections };
  const idMatches = expected.tenantId === undefined || expected.tenantId.toLowerCase() === connection.tenantId.toLowerCase();
  const nameMatches =
    expected.tenantName === undefined || expected.tenantName.trim().toLowerCase() === connection.tenantName.trim().toLowerCase();
  return idMatches && nameMatches ? { kind: "linked", connection } : { kind: "tenant_mismatch", connection };
}

/** First wait between GET /connections polls while a Custom Connection is not linked yet. */
export const LINK_POLL_FIRST_DELAY_MS = 2_000;
/** Longest wait between polls: the emailed authorisation can take minutes, not hours, to notice. */
export const LINK_POLL_MAX_DELAY_MS = 30_000;

/**
 * The next wait: doubling from {@link LINK_POLL_FIRST_DELAY_MS} up to {@link LINK_POLL_MAX_DELAY_MS},
 * never past the deadline. Returns 0 when the deadline has passed (stop polling).
 */
export function nextLinkPollDelayMs(previousDelayMs: number | undefined, remainingMs: number): number {
  if (remainingMs <= 0) return 0;
  const delay = previousDelayMs === undefined ? LINK_POLL_FIRST_DELAY_MS : Math.min(previousDelayMs * 2, LINK_POLL_MAX_DELAY_MS);
  return Math.min(delay, remainingMs);
}
