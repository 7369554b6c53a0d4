import { counts, statusOf, type ResourceReport } from "./findings";

/** The version of the `--json` document; bumped on any incompatible change to its shape. */
export const DRIFT_REPORT_SCHEMA_VERSION = 1;

/** Exit codes, as `terraform plan -detailed-exitcode`: 0 nothing drifted, 2 drift found, 1 could not check. */
export const DriftExitCode = { inSync: 0, error: 1, drift: 2 } as const;

export interface DriftSummary {
  readonly resources: number;
  readonly inSync: number;
  readonly drifted: number;
  readonly acknowledged: number;
  readonly errors: number;
  /** Findings that count (drift, and acknowledgements past their expiry). */
  readonly findings: number;
  readonly acknowledgedFindings: number;
  /** Warning-level findings (listed, not counted), acknowledged ones aside. */
  readonly warnings: number;
  readonly expiredAcknowledgements: number;
  readonly undeployedChanges: number;
  /** 429 answers from Xero that drift waited out. */
  readonly rateLimitedResponses: number;
  readonly exitCode: number;
}

export interface DriftReport {
  /** When the check ran (RFC 3339, the injected clock). */
  readonly checkedAt: string;
  readonly resources: readonly ResourceReport[];
  readonly summary: DriftSummary;
}

/** The report's summary; the exit code is 1 when anything could not be checked, else 2 when a finding counts. */
export function summarize(resources: readonly ResourceReport[], rateLimitedResponses: number): DriftSummary {
  const statuses = resources.map(statusOf);
  const findings = resources.flatMap((resource) => resource.findings);
  const errors = statuses.filter((status) => status === "error").length;
  const counted = findings.filter(counts).length;
  return {
    resources: resources.length,
    inSync: statuses.filter((status) => status === "in_sync").length,
    drifted: statuses.filter((status) => status === "drifted").length,
    acknowledged: statuses.filter((status) => status === "acknowledged").length,
    errors,
    findings: counted,
    acknowledgedFindings: findings.filter((finding) => finding.status === "acknowledged").length,
    warnings: findings.filter((finding) => finding.status !== "acknowledged" && finding.severity === "warning").length,
    expiredAcknowledgements: findings.filter((finding) => finding.status === "acknowledgement_expired").length,
    undeployedChanges: resources.filter((resource) => resource.undeployedChange !== undefined).length,
    rateLimitedResponses,
    exitCode: errors > 0 ? DriftExitCode.error : counted > 0 ? DriftExitCode.drift : DriftExitCode.inSync,
  };
}
