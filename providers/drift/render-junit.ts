import { counts, statusOf } from "./findings";
import type { DriftReport } from "./report";

/**
 * `--junit FILE`: JUnit XML, one test case per resource (class name: its kind), so CI systems show
 * drift natively. A counting finding is a `<failure>`, a resource that could not be checked an
 * `<error>`; acknowledged findings and notes go to the case's `<system-out>`.
 */

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the five specials are escaped.
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function renderJunit(report: DriftReport): string {
  const { summary } = report;
  const cases = report.resources.map((resource) => {
    const failing = resource.findings.filter(counts);
    const acknowledged = resource.findings.filter((finding) => finding.status === "acknowledged");
    const warnings = resource.findings.filter((finding) => finding.status !== "acknowledged" && finding.severity === "warning");
    const body: string[] = [];
    if (resource.error !== undefined) {
      body.push(`      <error type="${xml(resource.error.code)}" message="${xml(`could not check: ${resource.error.code}`)}">${xml(resource.error.message)}</error>`);
    } else if (failing.length > 0) {
      const message = failing.map((finding) => finding.code + (finding.status === "acknowledgement_expired" ? " (acknowledgement expired)" : "")).join(", ");
      const detail = failing.map((finding) => `${finding.code}\nexpected: ${finding.expected}\nlive: ${finding.live}\nfix: ${finding.fix}`).join("\n\n");
      body.push(`      <failure type="${xml(failing[0]?.code ?? "drift")}" message="${xml(message)}">${xml(detail)}</failure>`);
    }
    const out = [
      ...acknowledged.map((finding) => `acknowledged ${finding.code} until ${finding.acknowledgement?.expires ?? "?"}: ${finding.acknowledgement?.reason ?? ""}`),
      ...warnings.map((finding) => `warning ${finding.code}: ${finding.live}; fix: ${finding.fix}`),
      ...(resource.undeployedChange === undefined ? [] : ["declared change not deployed yet (cdktf diff shows it)"]),
      ...resource.notes.map((note) => `note: ${note}`),
    ];
    if (out.length > 0) body.push(`      <system-out>${xml(out.join("\n"))}</system-out>`);
    const open = `    <testcase classname="${xml(`cdktf-xero.${resource.kind}`)}" name="${xml(resource.resource)}"`;
    return body.length === 0 ? `${open}/>` : `${open}>\n${body.join("\n")}\n    </testcase>`;
  });
  const failures = report.resources.filter((resource) => statusOf(resource) === "drifted").length;
  const totals = `tests="${summary.resources}" failures="${failures}" errors="${summary.errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cdktf-xero drift" ${totals}>`,
    `  <testsuite name="cdktf-xero drift" ${totals} skipped="0" timestamp="${xml(report.checkedAt)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
