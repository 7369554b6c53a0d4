import { statusOf, type ReportedFinding, type ResourceStatus } from "./findings";
import type { MarkedResource } from "./mark";
import type { DriftReport } from "./report";

/**
 * The table for people: one row per resource (resource, kind, status, finding codes), each counting
 * finding's expected / live / fix indented below it, then acknowledged findings, undeployed changes,
 * errors and the summary line.
 */

const STATUS_WORDS: Readonly<Record<ResourceStatus, string>> = { in_sync: "in sync", drifted: "DRIFTED", acknowledged: "acknowledged", error: "ERROR" };

function findingWord(finding: ReportedFinding): string {
  if (finding.severity === "warning" && finding.status === "drift") return `${finding.code} (warning)`;
  if (finding.status === "acknowledged") return `${finding.code} (acknowledged)`;
  if (finding.status === "acknowledgement_expired") return `${finding.code} (acknowledgement expired)`;
  return finding.code;
}

export function renderTable(report: DriftReport, marked?: readonly MarkedResource[]): string {
  const rows = report.resources.map((resource) => [
    resource.resource,
    resource.kind,
    STATUS_WORDS[statusOf(resource)],
    resource.error !== undefined ? resource.error.code : resource.findings.map(findingWord).join(", "),
  ]);
  const header = ["RESOURCE", "KIND", "STATUS", "FINDINGS"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  const out: string[] = [line(header)];
  report.resources.forEach((resource, index) => {
    out.push(line(rows[index] ?? []));
    for (const finding of resource.findings) {
      out.push(`    ${findingWord(finding)}`);
      out.push(`      expected: ${finding.expected}`);
      out.push(`      live:     ${finding.live}`);
      if (finding.acknowledgement !== undefined) {
        out.push(`      acknowledged until ${finding.acknowledgement.expires}${finding.status === "acknowledgement_expired" ? " (expired)" : ""}: ${finding.acknowledgement.reason}`);
      }
      out.push(`      fix:      ${finding.fix}`);
    }
    if (resource.undeployedChange !== undefined) out.push("    declared change not deployed yet: `cdktf diff` shows it (not drift)");
    if (resource.error !== undefined) out.push(`    could not check: ${resource.error.message}`);
    for (const note of resource.notes) out.push(`    note: ${note}`);
  });
  const s = report.summary;
  out.push("");
  out.push(
    `${s.resources} resource${s.resources === 1 ? "" : "s"}: ${s.inSync} in sync, ${s.drifted} drifted, ${s.acknowledged} acknowledged, ` +
      (s.warnings > 0 ? `${s.warnings} warning${s.warnings === 1 ? "" : "s"}, ` : "") +
      `${s.errors} could not be checked; ${s.undeployedChanges} undeployed change${s.undeployedChanges === 1 ? "" : "s"}; ` +
      `${s.rateLimitedResponses} rate-limited answer${s.rateLimitedResponses === 1 ? "" : "s"} from Xero waited out.`,
  );
  if (marked !== undefined) {
    out.push(
      marked.length === 0
        ? "--mark: nothing to mark."
        : `--mark: bumped the generation of ${marked.map((entry) => `${entry.resource} (to ${entry.generation})`).join(", ")}; \`cdktf diff\` now shows their hooks replaced.`,
    );
  }
  return `${out.join("\n")}\n`;
}
