import { statusOf } from "./findings";
import { DRIFT_REPORT_SCHEMA_VERSION, type DriftReport } from "./report";
import type { MarkedResource } from "./mark";

/**
 * `--json`: one document on stdout, `schemaVersion` first; one object per resource with its status,
 * findings (each with its acknowledgement, if any), notes, undeployed change and error; the summary
 * with the exit code. Never a secret: findings are built from names, ids and references.
 */
export function renderJson(report: DriftReport, marked?: readonly MarkedResource[]): string {
  return `${JSON.stringify({
    schemaVersion: DRIFT_REPORT_SCHEMA_VERSION,
    checkedAt: report.checkedAt,
    resources: report.resources.map((resource) => ({
      resource: resource.resource,
      kind: resource.kind,
      backend: resource.backend,
      status: statusOf(resource),
      findings: resource.findings.map((finding) => ({
        code: finding.code,
        status: finding.status,
        // Only a warning says so: a finding without `severity` counts (the shape schema 1 always had).
        ...(finding.severity === undefined ? {} : { severity: finding.severity }),
        expected: finding.expected,
        live: finding.live,
        fix: finding.fix,
        acknowledgement: finding.acknowledgement ?? null,
      })),
      undeployedChange: resource.undeployedChange ?? null,
      notes: resource.notes,
      error: resource.error ?? null,
    })),
    ...(marked === undefined ? {} : { marked }),
    summary: report.summary,
  })}\n`;
}
