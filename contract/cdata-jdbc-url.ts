/**
 * The CData Xero JDBC URL an app registration records (its `jdbc_url` output): built from the spec,
 * never holding a secret. Pure, no I/O.
 */
import type { AppKind } from "./spec-common";

/** What a CData Xero JDBC URL is built from. Never a secret: the driver gets those elsewhere. */
export interface CdataJdbcUrlParts {
  readonly appKind: AppKind;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Web and PKCE apps: the redirect URI the driver listens on (CData's `CallbackURL`). */
  readonly callbackUrl?: string;
  /**
   * CData's `InitiateOAuth`, appended after `Scope` when given (`GETANDREFRESH`: the driver signs the
   * user in and keeps the tokens refreshed).
   * @default - not written (the driver's own default)
   */
  readonly initiateOAuth?: "OFF" | "GETANDREFRESH" | "REFRESH";
}

const AUTH_SCHEME = { web: "OAuth", pkce: "PKCE", custom_connection: "OAuthClient" } as const;

/** CData quotes a property value that holds `;`, `=`, quotes or surrounding spaces. */
function cdataValue(value: string): string {
  if (!/[;="']/.test(value) && value.trim() === value) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * The CData Xero JDBC URL for an app, without a secret (`OAuthClientSecret` is left for the
 * consumer to supply at run time).
 *
 * @example
 * formatCdataJdbcUrl({ appKind: "custom_connection", clientId: "6E4D…", scopes: ["accounting.invoices.read"] })
 * // "jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=6E4D…;Scope=accounting.invoices.read;"
 */
export function formatCdataJdbcUrl(parts: CdataJdbcUrlParts): string {
  const properties: Array<[string, string]> = [
    ["AuthScheme", AUTH_SCHEME[parts.appKind]],
    ["OAuthClientId", parts.clientId],
  ];
  if (parts.appKind !== "custom_connection" && parts.callbackUrl !== undefined) {
    properties.push(["CallbackURL", parts.callbackUrl]);
  }
  properties.push(["Scope", parts.scopes.join(" ")]);
  if (parts.initiateOAuth !== undefined) properties.push(["InitiateOAuth", parts.initiateOAuth]);
  return `jdbc:xero:${properties.map(([key, value]) => `${key}=${cdataValue(value)};`).join("")}`;
}
