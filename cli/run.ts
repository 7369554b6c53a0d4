import { CdktfXeroError } from "../providers/errors";

/** Exit codes, in the spirit of `terraform plan -detailed-exitcode`. */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** Drift found, or a change pending. */
  changes: 2,
  /** Bad flags, environment or input files: nothing was done. */
  usage: 64,
} as const;

/** Bad flags, environment or input files (a drift acknowledgement file): nothing was done. */
const USAGE_ERROR_CODES: ReadonlySet<string> = new Set(["CONFIG_INVALID", "DRIFT_IGNORE_FILE_INVALID"]);

/**
 * The one place that turns a thrown error into output and an exit code.
 * Command bodies throw; they never call `process.exit`.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CdktfXeroError && USAGE_ERROR_CODES.has(error.code)) return ExitCode.usage;
  return ExitCode.error;
}

/** The one line printed first on failure: `cdktf-xero: <CODE>: message`. */
export function describeError(error: unknown): string {
  if (error instanceof CdktfXeroError) return `cdktf-xero: ${error.code}: ${error.message}`;
  if (error instanceof Error) return `cdktf-xero: unexpected error: ${error.message}`;
  return `cdktf-xero: unexpected error: ${String(error)}`;
}

/** The code `--json` reports for an error cdktf-xero did not raise on purpose. */
export const UNEXPECTED_ERROR_CODE = "UNEXPECTED_ERROR";

/** Under `--json`: one JSON object `{"code","message"}` on one line, instead of {@link describeError}'s text. */
export function describeErrorAsJson(error: unknown): string {
  const code = error instanceof CdktfXeroError ? error.code : UNEXPECTED_ERROR_CODE;
  const message = error instanceof Error ? error.message : String(error);
  return JSON.stringify({ code, message });
}

/** Whether a command line asks for JSON output: `--json` anywhere before a `--` that ends the options. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}
