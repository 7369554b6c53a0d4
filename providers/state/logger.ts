/** Where the state backend reports what a user should know (a created key, a taken-over lock). */
export interface StateLogger {
  warn(message: string): void;
}

/** The default: one line per message on stderr, so stdout stays machine-readable. */
export const stderrLogger: StateLogger = {
  warn: (message) => {
    process.stderr.write(`cdktf-xero: warning: ${message}\n`);
  },
};
