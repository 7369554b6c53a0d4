import { CdktfXeroError } from "../errors";

/**
 * A bad acknowledgement (ignore) file: names the file, the line, the problem and the fix. Nothing
 * was checked.
 */
export class DriftIgnoreFileError extends CdktfXeroError {
  readonly code = "DRIFT_IGNORE_FILE_INVALID";
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
    fix: string,
  ) {
    super(`${file}:${line}: ${problem}. ${fix}`, { context: { file, line } });
  }
}

/** Nothing to check: no synthesized stacks where drift looked and no backend named, or a named stack that is not there. */
export class DriftNothingToCheckError extends CdktfXeroError {
  readonly code = "CONFIG_INVALID";
}
