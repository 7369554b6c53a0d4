import { TenantNotConnectedError, type TokenSetLocation } from "./errors";

/** An organisation a connection's consent covers. */
export interface ConnectedTenant {
  readonly tenantId: string;
  readonly tenantName: string;
}

/** The recorded tenants, from a document's parallel `tenant_ids` / `tenant_names` outputs. */
export function connectedTenants(tenantIds: readonly string[], tenantNames: readonly string[]): ConnectedTenant[] {
  return tenantIds.map((tenantId, index) => ({ tenantId, tenantName: tenantNames[index] ?? "" }));
}

/**
 * The tenant a consumer asked for (a tenant id, or an organisation name as Xero shows it; both
 * compared without regard to case and surrounding spaces), or, with none asked for, the only one
 * recorded (several: none, the consumer picks by tenant id itself). Throws
 * {@link TenantNotConnectedError} listing the recorded ones when nothing matches. Pure.
 */
export function chooseTenant(tenants: readonly ConnectedTenant[], wanted: string | undefined, location: TokenSetLocation): ConnectedTenant | undefined {
  if (wanted === undefined) return tenants.length === 1 ? tenants[0] : undefined;
  const key = wanted.trim().toLowerCase();
  const byId = tenants.find((tenant) => tenant.tenantId.toLowerCase() === key);
  const byName = tenants.filter((tenant) => tenant.tenantName.trim().toLowerCase() === key);
  // Two organisations may share a name: only an id tells them apart then.
  const chosen = byId ?? (byName.length === 1 ? byName[0] : undefined);
  if (chosen === undefined) throw new TenantNotConnectedError(location, wanted, tenants);
  return chosen;
}
