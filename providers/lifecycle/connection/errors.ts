import { CdktfXeroError } from "../../errors";
import type { TokenSetLocation } from "../../tokens/errors";
import type { XeroConnection } from "../../xero/parse-api";
import { describeApp, type AppDescription } from "../runtime/errors";

/**
 * Why a consented connection's apply failed beyond "nobody consented" and "consent again"
 * (providers/tokens/errors.ts has those two, shared with `token` and `refresh --due`).
 */

/** `cdktf-xero connect <document> --backend …`, as a person types it from the project root. */
export function connectCommand(location: TokenSetLocation): string {
  return `cdktf-xero connect ${location.document} ${location.backendFlag}`.trim();
}

function listed(items: readonly string[]): string {
  return items.length === 0 ? "none" : items.map((item) => JSON.stringify(item)).join(", ");
}

function organisations(connections: readonly XeroConnection[]): string {
  return connections.length === 0 ? "none" : connections.map((c) => `"${c.tenantName}" (tenant id ${c.tenantId})`).join(", ");
}

/** What the declaration asks for against what the live consent covers. */
export interface ConsentComparison {
  readonly declaredTenants: readonly string[];
  readonly declaredScopes: readonly string[];
  readonly liveConnections: readonly XeroConnection[];
  readonly grantedScopes: readonly string[];
  readonly missingTenants: readonly string[];
  readonly missingScopes: readonly string[];
  readonly noOrganisation: boolean;
}

/**
 * The stored consent does not cover the declaration: a declared organisation is not connected (the
 * user did not tick it, or it was disconnected since), or a declared scope was not granted. The
 * token set stays stored, so a fixed declaration deploys without a new consent.
 */
export class ConnectionConsentMismatchError extends CdktfXeroError {
  readonly code = "CONNECTION_CONSENT_MISMATCH";
  constructor(location: TokenSetLocation, app: AppDescription, comparison: ConsentComparison) {
    const problems = [
      ...(comparison.missingTenants.length === 0 ? [] : [`declared organisations ${listed(comparison.missingTenants)} are not connected`]),
      ...(comparison.noOrganisation ? ["no organisation is connected, though the declared scopes need one"] : []),
      ...(comparison.missingScopes.length === 0 ? [] : [`declared scopes ${listed(comparison.missingScopes)} were not granted`]),
    ];
    const declaredTenants = comparison.declaredTenants.length === 0 ? "any" : listed(comparison.declaredTenants);
    super(
      `the consent stored in "${location.document}" for ${describeApp(app)} does not cover the declaration: ${problems.join("; ")}. ` +
        `Declared tenants: ${declaredTenants}; live tenants: ${organisations(comparison.liveConnections)}. ` +
        `Declared scopes: ${listed(comparison.declaredScopes)}; granted scopes: ${listed(comparison.grantedScopes)}. ` +
        `Run \`${connectCommand(location)}\` again and tick ${comparison.declaredTenants.length === 0 ? "an organisation" : "every declared organisation"} ` +
        `(approving the declared scopes), or change tenants / scopes in the declaration; the token set stays stored for another try.`,
      {
        context: {
          document: location.document,
          clientId: app.clientId,
          missingTenants: [...comparison.missingTenants],
          missingScopes: [...comparison.missingScopes],
          liveTenantIds: comparison.liveConnections.map((c) => c.tenantId),
        },
      },
    );
  }
}

/**
 * The stored token set was consented to another app (the declaration now names another client id):
 * it cannot be refreshed by this one, and must not be spent by it.
 */
export class ConnectionAppChangedError extends CdktfXeroError {
  readonly code = "CONNECTION_APP_CHANGED";
  constructor(location: TokenSetLocation, app: AppDescription, consentedClientId: string) {
    super(
      `the token set stored in "${location.document}" was consented to client id ${consentedClientId}, but the declaration now names ` +
        `${describeApp(app)}: a token set belongs to the app it was consented to. Run \`${connectCommand(location)}\` to consent to the ` +
        `declared app (the new token set replaces the old one), or declare the app the consent was given to.`,
      { context: { document: location.document, clientId: app.clientId, consentedClientId } },
    );
  }
}
