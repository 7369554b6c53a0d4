import type { HookSpecKind } from "../../contract/hook-spec";

/**
 * What `cdktf-xero drift` reports: per resource (one credential document), the findings (what was
 * declared or recorded, what Xero or the document shows now, and the fix), changes declared but not
 * deployed yet (reported apart: `cdktf diff` shows those), and an error when it could not check.
 * Pure data; the kinds' checks produce it, the renderers print it.
 */

/**
 * Every finding code, with what it means (the README's table is this list). Codes are stable: an
 * acknowledgement file names them.
 */
export const DRIFT_FINDING_CODES = {
  "registration.invalid_client": "Xero answers invalid_client to the app's client id and secret: the secret was deleted or regenerated in the portal, or the app is gone",
  "registration.client_unknown": "Xero's authorize endpoint no longer knows the Web or PKCE app's client id: the app was deleted",
  "registration.scopes_differ": "the scopes Xero grants the Custom Connection differ from the declared ones (changed in the portal)",
  "registration.redirect_uri_refused": "Xero's authorize endpoint refuses a declared redirect URI: it was removed from the app in the portal",
  "registration.scope_refused": "Xero's authorize endpoint refuses a declared scope for the app (removed in the portal, or no longer allowed)",
  "link.not_linked": "the Custom Connection is linked to no organisation (unlinked by an admin, or deactivated by a portal change until re-authorised)",
  "link.other_organisation": "the Custom Connection is linked to another organisation than the one declared and recorded",
  "link.too_many": "Xero lists more than one organisation for the Custom Connection",
  "rotation.overdue": "the current client secret is older than the rotation's maxAge",
  "rotation.pending_stale": "a staged (PENDING) secret has waited more than a day for the deploy that tests and promotes it",
  "rotation.previous_kept": "the PREVIOUS secret is still recorded past its keepPrevious expiry (the deploy that drops it has not run)",
  "connection.awaiting_consent": "the consented connection is declared but nobody has consented yet (`cdktf-xero connect` never ran for it)",
  "connection.needs_consent": "the connection's document records that no stored token can work again (Xero refused it, it expired unused, or a refresh was lost past Xero's grace)",
  "connection.gone": "the consent is gone: the user revoked it, or an organisation disconnected the app (GET /connections no longer lists a recorded organisation, or Xero refuses the refresh token with invalid_grant)",
  "connection.tenants_differ": "a declared organisation is not among those the consent covers (organisations beyond the declared ones are fine, as for a deploy)",
  "connection.scopes_differ": "a declared scope is not among those Xero granted the connection (scopes beyond the declared ones are fine, as for a deploy)",
  "connection.refresh_due": "a warning: the refresh token is older than the connection's keepAlive (the daily `cdktf-xero refresh --due` job has not run)",
  "connection.refresh_token_expiring": "the refresh token is within 5 days of Xero's 60-day limit, or past it (then only a new consent helps)",
  "secret.unavailable": "the client secret's reference cannot be resolved where drift runs (variable unset, file missing, key absent)",
  "document.missing": "the resource's credential document is not in the state backend (deleted, or never deployed)",
  "document.unreadable": "the credential document cannot be read or its secrets opened with the configured state keys",
} as const;

export type DriftFindingCode = keyof typeof DRIFT_FINDING_CODES;

export function isDriftFindingCode(code: string): code is DriftFindingCode {
  return Object.hasOwn(DRIFT_FINDING_CODES, code);
}

/** One difference between what was declared or recorded and what is live. */
export interface DriftFinding {
  readonly code: DriftFindingCode;
  /** What was declared or recorded, in words (never a secret). */
  readonly expected: string;
  /** What Xero or the state backend shows now, in words (never a secret). */
  readonly live: string;
  /** What to do about it, naming where (the portal, a command, a variable). */
  readonly fix: string;
  /**
   * `warning`: listed and reported, but it does not change the exit code nor the resource's status
   * (like a Terraform check block's warning: something to act on before it becomes drift).
   * @default drift
   */
  readonly severity?: "warning";
}

/** A finding with what the acknowledgement file says of it. */
export interface ReportedFinding extends DriftFinding {
  /**
   * `drift`: counts; `acknowledged`: listed, does not count; `acknowledgement_expired`: an
   * acknowledgement matched but its expiry has passed, so it counts again.
   */
  readonly status: "drift" | "acknowledged" | "acknowledgement_expired";
  readonly acknowledgement?: { readonly reason: string; readonly expires: string; readonly line: number };
}

/** A declared change `cdktf deploy` has not applied yet (the spec hash differs from the document's). */
export interface UndeployedChange {
  readonly recordedSpecSha256: string;
  readonly declaredSpecSha256: string;
}

/** Why a resource could not be checked (Xero unreachable, the backend down, …): exit code 1. */
export interface CheckError {
  readonly code: string;
  readonly message: string;
}

export interface ResourceReport {
  /** The document name, `<stack>/<construct path>`: the resource's identity in every output and in acknowledgements. */
  readonly resource: string;
  readonly kind: HookSpecKind;
  /** Where its document lives (`local:<dir>` or `pg:<schema>`). */
  readonly backend: string;
  readonly findings: readonly ReportedFinding[];
  readonly undeployedChange?: UndeployedChange;
  readonly error?: CheckError;
  /** Checked only in part, and why (e.g. a Web app's redirect URIs, which only the synthesized stack declares). */
  readonly notes: readonly string[];
}

/** `in_sync`, `drifted` (a finding counts), `acknowledged` (findings, none counting) or `error`. */
export type ResourceStatus = "in_sync" | "drifted" | "acknowledged" | "error";

export function statusOf(resource: ResourceReport): ResourceStatus {
  if (resource.error !== undefined) return "error";
  if (resource.findings.some(counts)) return "drifted";
  return resource.findings.some((finding) => finding.status === "acknowledged") ? "acknowledged" : "in_sync";
}

/** Whether a finding changes the exit code: not when acknowledged (and unexpired), nor a warning. */
export function counts(finding: ReportedFinding): boolean {
  return finding.status !== "acknowledged" && finding.severity !== "warning";
}
