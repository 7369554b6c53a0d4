import { checkDocumentName } from "../../contract/state-address";
import { DriftIgnoreFileError } from "./errors";
import { DRIFT_FINDING_CODES, isDriftFindingCode, type DriftFinding, type DriftFindingCode, type ReportedFinding } from "./findings";

/**
 * The acknowledgement ("ignore") file: known drift a team has accepted for a while, one finding a
 * line, so a scheduled check stays green until the acknowledgement expires (driftctl's
 * `.driftignore`, with a reason and an expiry added):
 *
 * ```
 * # <resource> <finding code> <expires: YYYY-MM-DD or RFC 3339> <reason …>
 * billing/SyncLink link.not_linked 2027-01-31 the organisation is being migrated (ticket OPS-42)
 * ```
 *
 * A date expiry holds through the end of that day, UTC. Blank lines and `#` comments are ignored.
 * Parsing is pure; the CLI reads and writes the file.
 */

export interface Acknowledgement {
  readonly resource: string;
  readonly code: DriftFindingCode;
  /** The first instant it no longer counts (a date's next midnight UTC). */
  readonly expiresAt: Date;
  /** As written in the file. */
  readonly expires: string;
  readonly reason: string;
  readonly line: number;
}

const FORMAT = "Each line is `<resource> <finding code> <expires: YYYY-MM-DD or RFC 3339 time> <reason>`, e.g. `billing/SyncLink link.not_linked 2027-01-31 org migration, ticket OPS-42`";
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The first instant an expiry no longer holds, or undefined when it is no date or time. */
export function expiryInstant(text: string): Date | undefined {
  const date = DATE.exec(text);
  if (date !== null) {
    const [, year, month, day] = date;
    const start = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    // Rejects 2027-02-30 and the like: Date.UTC rolls them over.
    if (start.toISOString().slice(0, 10) !== text) return undefined;
    return new Date(start.getTime() + 86_400_000);
  }
  if (TIME.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}

/** Parses the file's text; `file` names it in errors. Throws DriftIgnoreFileError at the first bad line. */
export function parseAcknowledgements(text: string, file: string): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const fields = trimmed.split(/\s+/);
    const [resource = "", code = "", expires = ""] = fields;
    const reason = fields.slice(3).join(" ");
    if (fields.length < 4) {
      throw new DriftIgnoreFileError(file, line, `has ${fields.length} field${fields.length === 1 ? "" : "s"}, and an acknowledgement needs four (the reason may be several words)`, FORMAT);
    }
    const nameProblem = checkDocumentName(resource);
    if (nameProblem !== undefined) {
      throw new DriftIgnoreFileError(file, line, `the resource is not a document name: ${nameProblem}`, "Write the resource as drift reports it (`<stack>/<construct path>`)");
    }
    if (!isDriftFindingCode(code)) {
      throw new DriftIgnoreFileError(file, line, `${JSON.stringify(code)} is not a drift finding code`, `Use one of ${Object.keys(DRIFT_FINDING_CODES).join(", ")}`);
    }
    const expiresAt = expiryInstant(expires);
    if (expiresAt === undefined) {
      throw new DriftIgnoreFileError(
        file,
        line,
        `the expiry ${JSON.stringify(expires)} is not a date`,
        "Write it as YYYY-MM-DD (the acknowledgement holds through that day, UTC) or as an RFC 3339 time such as 2027-01-31T12:00:00Z",
      );
    }
    const key = `${resource} ${code}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new DriftIgnoreFileError(file, line, `acknowledges ${resource} ${code} again (line ${earlier} already does)`, "Keep one line per resource and finding code");
    }
    seen.set(key, line);
    found.push({ resource, code, expiresAt, expires, reason, line });
  });
  return found;
}

/** A finding with what the acknowledgements say of it at `now`. */
export function acknowledge(resource: string, finding: DriftFinding, acknowledgements: readonly Acknowledgement[], now: Date): ReportedFinding {
  const match = acknowledgements.find((entry) => entry.resource === resource && entry.code === finding.code);
  if (match === undefined) return { ...finding, status: "drift" };
  return {
    ...finding,
    status: now.getTime() < match.expiresAt.getTime() ? "acknowledged" : "acknowledgement_expired",
    acknowledgement: { reason: match.reason, expires: match.expires, line: match.line },
  };
}

/** How long `--write-ignore` acknowledges today's findings for. */
export const DEFAULT_ACKNOWLEDGEMENT_DAYS = 30;

/**
 * The file `--write-ignore` writes: every finding given, expiring `days` after `now` (a date), with a
 * reason that asks to be replaced.
 */
export function formatAcknowledgements(findings: ReadonlyArray<{ readonly resource: string; readonly code: DriftFindingCode }>, now: Date, days = DEFAULT_ACKNOWLEDGEMENT_DAYS): string {
  const today = now.toISOString().slice(0, 10);
  const expires = new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  const lines = [
    `# cdktf-xero drift acknowledgements, written ${today}.`,
    "# <resource> <finding code> <expires: YYYY-MM-DD, through that day UTC> <reason>",
    "# Acknowledged findings are listed but do not fail `cdktf-xero drift --ignore <this file>`; past the expiry they count again.",
    ...findings.map((finding) => `${finding.resource} ${finding.code} ${expires} acknowledged by --write-ignore on ${today}; replace with why`),
  ];
  return `${lines.join("\n")}\n`;
}
