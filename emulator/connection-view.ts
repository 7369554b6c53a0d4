import type { Connection, XeroState } from "./state";
import { formatXeroTimestamp } from "./wire";

/** A connection as GET /connections shows it, in Xero's field names and order. */
export interface XeroConnection {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: string;
  tenantName: string | null;
  createdDateUtc: string;
  updatedDateUtc: string;
}

export function toXeroConnection(connection: Connection, state: XeroState): XeroConnection {
  const org = state.orgs.get(connection.tenantId);
  return {
    id: connection.id,
    authEventId: connection.authEventId,
    tenantId: connection.tenantId,
    tenantType: org?.type ?? "ORGANISATION",
    tenantName: org?.name ?? null,
    createdDateUtc: formatXeroTimestamp(connection.createdAt),
    updatedDateUtc: formatXeroTimestamp(connection.updatedAt),
  };
}
