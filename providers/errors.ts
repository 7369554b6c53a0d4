/**
 * The root of every error cdktf-xero raises on purpose.
 *
 * Each error has a stable `code` (for scripts and tests), a message that says what to do next, and a
 * `context` that is safe to print: it never holds a secret, token or state key.
 * The CLI maps errors to exit codes in one place (cli/run.ts) by `code`, never by message.
 */
export abstract class CdktfXeroError extends Error {
  /** Stable, machine-readable identifier, e.g. `XERO_INVALID_CLIENT`. */
  abstract readonly code: string;
  /** Secret-free facts about what failed (document names, client ids, HTTP statuses). */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

/** Bad input from the user: a flag, an environment variable, a file. Nothing was changed. */
export class ConfigError extends CdktfXeroError {
  readonly code = "CONFIG_INVALID";
}
