import { ConnectionOutputs, ConnectionPolicy, isTenantId, type OAuthConnectionSpec } from "../../../contract/connection";
import { formatBackendAddress } from "../../../contract/state-address";
import { parseRfc3339 } from "../../clock";
import type { DriftFinding } from "../../drift/findings";
import type { OutputValues } from "../../state";
import type { XeroConnection } from "../../xero/parse-api";

/**
 * The decisions of the consented connection's drift check, pure: what the document records (no
 * consent yet, a new consent needed, the refresh token's age against keepAlive and Xero's 60 days),
 * and what Xero shows (the organisations GET /connections lists, the scopes the access token
 * carries) against the declaration and the record. drift.ts does the I/O around them.
 */

const SECOND_MS = 1_000;

/** The command that stores a new consent for this connection. */
export function connectCommand(spec: OAuthConnectionSpec): string {
  return `cdktf-xero connect ${spec.document} --backend ${formatBackendAddress(spec.backend)}`;
}

function days(ms: number): string {
  const whole = Math.floor(ms / 86_400_000);
  if (whole >= 2) return `${whole} days`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `${hours} h` : `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

export interface RecordedConnectionFindings {
  readonly findings: DriftFinding[];
  /** Whether the record alone settles it: no token set that Xero could still take, so nothing live is checked. */
  readonly settled: boolean;
}

/** The findings the connection document shows at `now`, before anything is asked of Xero. */
export function recordedConnectionFindings(spec: OAuthConnectionSpec, values: OutputValues, now: Date): RecordedConnectionFindings {
  const outputs = ConnectionOutputs.decode(values);
  const connect = connectCommand(spec);
  if (outputs.status === "needs_consent") {
    return {
      settled: true,
      findings: [{
        code: "connection.needs_consent",
        expected: "a token set Xero accepts (connection_status connected)",
        live: `needs_consent since ${outputs.needsConsentSince === undefined || outputs.needsConsentSince === "" ? "an unknown time" : outputs.needsConsentSince}: ${outputs.needsConsentReason || "no reason recorded"}`,
        fix: `Run \`${connect}\` and consent again (the new token set replaces the old one); then deploy`,
      }],
    };
  }
  const issuedAt = outputs.refreshTokenIssuedAt === undefined || outputs.refreshTokenIssuedAt === "" ? undefined : parseRfc3339(outputs.refreshTokenIssuedAt);
  if (outputs.status !== "connected" || issuedAt === undefined) {
    return {
      settled: true,
      findings: [{
        code: "connection.awaiting_consent",
        expected: `a consent covering ${tenantWords(spec.tenants)} with ${scopeWords(spec.scopes)}`,
        live: "nobody has consented yet (connection_status awaiting_consent): there is no token set",
        fix: `Run \`${connect}\` and consent in the browser (add --manual on a machine without one); then deploy`,
      }],
    };
  }
  const age = now.getTime() - issuedAt.getTime();
  const issued = `issued ${issuedAt.toISOString()}, ${days(Math.max(0, age))} old`;
  const expiresAt = issuedAt.getTime() + ConnectionPolicy.refreshTokenLifetimeSeconds * SECOND_MS;
  if (now.getTime() >= expiresAt) {
    return {
      settled: true,
      findings: [{
        code: "connection.refresh_token_expiring",
        expected: `the refresh token refreshed within ${spec.keepAliveSeconds} s (keepAlive), long before Xero's 60-day limit`,
        live: `the refresh token (${issued}) expired unused at ${new Date(expiresAt).toISOString()}: Xero will refuse it`,
        fix: `Run \`${connect}\` and consent again; then schedule \`cdktf-xero refresh --due\` daily so it does not happen again`,
      }],
    };
  }
  const failAt = issuedAt.getTime() + ConnectionPolicy.maxKeepAliveSeconds * SECOND_MS;
  if (now.getTime() >= failAt) {
    return {
      settled: false,
      findings: [{
        code: "connection.refresh_token_expiring",
        expected: `the refresh token refreshed within ${spec.keepAliveSeconds} s (keepAlive), at least 5 days before Xero's 60-day limit`,
        live: `the refresh token (${issued}) expires unused at ${new Date(expiresAt).toISOString()}, in ${days(expiresAt - now.getTime())}`,
        fix: `Run \`cdktf-xero refresh --due --backend ${formatBackendAddress(spec.backend)}\` now, and schedule it daily`,
      }],
    };
  }
  const dueAt = issuedAt.getTime() + spec.keepAliveSeconds * SECOND_MS;
  if (now.getTime() >= dueAt) {
    return {
      settled: false,
      findings: [{
        code: "connection.refresh_due",
        severity: "warning",
        expected: `the refresh token refreshed within keepAlive (${spec.keepAliveSeconds} s): due ${new Date(dueAt).toISOString()}`,
        live: `the refresh token (${issued}) is past keepAlive by ${days(now.getTime() - dueAt)}; Xero expires it unused at ${new Date(expiresAt).toISOString()}`,
        fix: `Run \`cdktf-xero refresh --due --backend ${formatBackendAddress(spec.backend)}\`, and schedule it daily`,
      }],
    };
  }
  return { settled: false, findings: [] };
}

/** Xero refused the stored refresh token (invalid_grant): the consent is gone. */
export function refusedRefreshFinding(spec: OAuthConnectionSpec, reason: string): DriftFinding {
  return {
    code: "connection.gone",
    expected: `a consent covering ${tenantWords(spec.tenants)} that Xero still honours`,
    live: `Xero refused the refresh token: ${reason}; the document now records needs_consent`,
    fix: `Run \`${connectCommand(spec)}\` and consent again (the user may have revoked the app in Xero); then deploy`,
  };
}

/** What the consent recorded: the organisations GET /connections listed when it was stored or last applied. */
export interface RecordedTenants {
  readonly tenantIds: readonly string[];
  readonly tenantNames: readonly string[];
}

export function recordedTenantsOf(values: OutputValues): RecordedTenants {
  const outputs = ConnectionOutputs.decode(values);
  return { tenantIds: outputs.tenantIds ?? [], tenantNames: outputs.tenantNames ?? [] };
}

function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether a declared tenant (an id, or an organisation name as Xero shows it) is this organisation. */
function declares(declared: string, tenantId: string, tenantName: string): boolean {
  return isTenantId(declared) ? sameText(declared, tenantId) : sameText(declared, tenantName);
}

function organisation(tenantId: string, tenantName: string | undefined): string {
  return tenantName === undefined || tenantName === "" ? `tenant id ${tenantId}` : `"${tenantName}" (tenant id ${tenantId})`;
}

function tenantWords(tenants: readonly string[]): string {
  return tenants.length === 0 ? "any organisation the user picks" : `the organisations ${tenants.map((t) => JSON.stringify(t)).join(", ")}`;
}

function scopeWords(scopes: readonly string[]): string {
  return scopes.length === 0 ? "no scopes" : `scopes ${[...scopes].sort().join(" ")}`;
}

/**
 * The findings of what Xero shows now: `live` as GET /connections lists it with the vended access
 * token, `grantedScopes` as that token's `scope` claim carries them.
 */
export function liveConnectionFindings(
  spec: OAuthConnectionSpec,
  recorded: RecordedTenants,
  live: readonly XeroConnection[],
  grantedScopes: readonly string[],
): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const connect = connectCommand(spec);
  const listed = live.length === 0 ? "no organisation" : live.map((c) => organisation(c.tenantId, c.tenantName)).join(", ");
  const gone = recorded.tenantIds
    .map((tenantId, index) => ({ tenantId, tenantName: recorded.tenantNames[index] ?? "" }))
    .filter((tenant) => !live.some((c) => sameText(c.tenantId, tenant.tenantId)));
  if (live.length === 0 || gone.length > 0) {
    findings.push({
      code: "connection.gone",
      expected: `connected to ${recorded.tenantIds.length === 0 ? "at least one organisation" : recorded.tenantIds.map((id, i) => organisation(id, recorded.tenantNames[i])).join(", ")} (recorded at consent)`,
      live:
        live.length === 0
          ? "GET /connections lists no organisation: the user revoked the app's access, or every organisation disconnected it"
          : `GET /connections no longer lists ${gone.map((t) => organisation(t.tenantId, t.tenantName)).join(", ")} (the organisation disconnected the app, or the user's access to it ended); it lists ${listed}`,
      fix: `Run \`${connect}\` and tick the organisations again (an organisation's adviser must reconnect it if it was disconnected on purpose); then deploy`,
    });
  }
  // As the hooks' apply judges a consent: every declared organisation connected and every declared
  // scope granted; organisations the user ticked beyond the declared ones, and scopes granted
  // beyond the declared ones (they add up across consents), are fine, so drift does not report what
  // a deploy would accept.
  const missing = spec.tenants.filter(
    // A declared organisation already reported gone is not reported twice.
    (declared) => !live.some((c) => declares(declared, c.tenantId, c.tenantName)) && !gone.some((t) => declares(declared, t.tenantId, t.tenantName)),
  );
  if (missing.length > 0) {
    findings.push({
      code: "connection.tenants_differ",
      expected: `the consent covers ${tenantWords(spec.tenants)} (declared)`,
      live: `GET /connections lists ${listed}; missing ${missing.map((t) => JSON.stringify(t)).join(", ")}`,
      fix: `Run \`${connect}\` and tick the declared organisations, or declare the organisations the consent covers; then deploy`,
    });
  }
  const missingScopes = spec.scopes.filter((scope) => !grantedScopes.includes(scope));
  if (missingScopes.length > 0) {
    findings.push({
      code: "connection.scopes_differ",
      expected: `granted ${scopeWords(spec.scopes)} (declared)`,
      live: `the access token carries ${scopeWords(grantedScopes)}; missing ${missingScopes.join(" ")}`,
      fix: `Run \`${connect}\` to consent to the declared scopes (the app must declare them too), or declare the granted scopes; then deploy`,
    });
  }
  return findings;
}
