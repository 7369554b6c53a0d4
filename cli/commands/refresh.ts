import type { Command } from "commander";
import { DEFAULT_LOCAL_STATE_DIR } from "../../contract/state-address";
import { ConfigError } from "../../providers/errors";
import type { RefreshDueResult } from "../../providers/tokens/refresh-due";
import { backendFromFlag } from "../backend-flag";
import { ExitCode } from "../run";

/**
 * `cdktf-xero refresh --due`: a daily job's keep-alive of every consented connection's refresh
 * token (providers/tokens/refresh-due.ts). One line per connection document; exit 1 when any
 * failed or needs a new consent, so the pipeline shows it.
 */

export interface RefreshCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
  readonly setExitCode: (code: number) => void;
}

const defaultDeps = (): RefreshCommandDeps => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
});

interface RefreshFlags {
  backend: string;
  due: boolean;
  json: boolean;
}

const DEFAULT_BACKEND = `local:${DEFAULT_LOCAL_STATE_DIR}`;

export function registerRefreshCommand(program: Command, overrides: Partial<RefreshCommandDeps> = {}): void {
  const deps: RefreshCommandDeps = { ...defaultDeps(), ...overrides };
  program
    .command("refresh")
    .option("--due", "refresh every connection whose refresh token is older than its keepAlive (required)", false)
    .option("--backend <address>", "state backend: local:<dir> or pg:<schema> (PG_CONN_STR / PG* for the connection)", DEFAULT_BACKEND)
    .option("--json", "one JSON object per connection document instead of a line of text", false)
    .description("keep consented connections alive: refresh the refresh tokens that are due")
    .addHelpText(
      "after",
      `
Examples:
  $ cdktf-xero refresh --due
  $ cdktf-xero refresh --due --backend pg:cdktf_xero --json

Run it daily. Exit 0: every connection refreshed or not due; 1: one failed or needs a new consent
(the line says which \`cdktf-xero connect\` to run); 64: bad flags.`,
    )
    .action(async (flags: RefreshFlags) => {
      if (!flags.due) {
        throw new ConfigError("refresh needs --due (refresh the connections whose keepAlive has passed); nothing was done. Example: cdktf-xero refresh --due");
      }
      const address = backendFromFlag(flags.backend, { showValue: true });
      const { refreshDueConnections } = require("../../providers/tokens/refresh-due") as typeof import("../../providers/tokens/refresh-due");
      const results = await refreshDueConnections(address, { env: deps.env, cwd: deps.cwd, stderr: deps.stderr, backendFlag: `--backend ${flags.backend}` });
      for (const result of results) deps.stdout.write(`${flags.json ? JSON.stringify(result) : renderResult(result)}\n`);
      if (results.some((result) => result.outcome === "failed" || result.outcome === "needs_consent")) deps.setExitCode(ExitCode.error);
    });
}

export function renderResult(result: RefreshDueResult): string {
  switch (result.outcome) {
    case "refreshed":
      return `cdktf-xero: ${result.document}: refreshed; next due ${result.nextDueAt}`;
    case "not_due":
      return `cdktf-xero: ${result.document}: not due until ${result.dueAt}`;
    case "needs_consent":
      return `cdktf-xero: ${result.document}: needs consent: ${result.reason}; run \`${result.command}\``;
    case "failed":
      return `cdktf-xero: ${result.document}: failed: ${result.code}: ${result.message}`;
  }
}
