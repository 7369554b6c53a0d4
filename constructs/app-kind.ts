import type { AppKind } from "../contract/spec-common";

/**
 * The kinds of Xero app, as the developer portal offers them.
 *
 * - `WEB`: "Web app" (auth code): client id + secret, redirect URIs (CData `AuthScheme=OAuth`).
 * - `PKCE`: "Mobile or desktop app" (auth code with PKCE): no secret, redirect URIs (`AuthScheme=PKCE`).
 * - `CUSTOM_CONNECTION`: client credentials for one organisation, no redirect URIs (`AuthScheme=OAuthClient`).
 */
export const XeroAppKind = {
  WEB: "web",
  PKCE: "pkce",
  CUSTOM_CONNECTION: "custom_connection",
} as const satisfies Record<string, AppKind>;

export type XeroAppKindType = AppKind;
