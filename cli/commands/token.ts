import { writeSync } from "node:fs";
import type { Command } from "commander";
import { DEFAULT_LOCAL_STATE_DIR } from "../../contract/state-address";
import type { AccessToken } from "../../providers/tokens/get-access-token";

/**
 * `cdktf-xero token <document>`: prints a valid access token for a consumer (a script, a pipeline
 * step), and nothing else on stdout. Started once per consumer call, so it loads only what a cached
 * token needs (the state backend and the document); getAccessToken loads a Xero client only to refresh.
 */

export interface TokenCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
}

/**
 * process.stdout and process.stderr are created on first use, and creating one loads Node's streams
 * (and for a pipe, as under a consumer's `$(cdktf-xero token …)`, its sockets): several milliseconds
 * of a cached token's run. The token's one line goes to file descriptor 1 directly, as process.stdout
 * would write it to a file or (on Linux and macOS) a pipe, synchronously; process.stderr is reached
 * only for a warning or an error.
 */
const defaultDeps = (): TokenCommandDeps => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: { write: writeToStandardOutput },
  stderr: { write: (text) => process.stderr.write(text) },
});

/**
 * Writes `text` to file descriptor 1. A descriptor someone made non-blocking may refuse (EAGAIN)
 * when the reader is behind: what is left then goes through process.stdout, which waits for it.
 */
export function writeToStandardOutput(text: string, fd = 1): void {
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    process.stdout.write(bytes.subarray(written));
  }
}

export const TOKEN_FORMATS = ["raw", "header", "json"] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export interface TokenFlags {
  backend: string;
  tenant?: string;
  format: string;
}

const DEFAULT_BACKEND = `local:${DEFAULT_LOCAL_STATE_DIR}`;
const DEFAULT_FORMAT: TokenFormat = "raw";

export function registerTokenCommand(program: Command, deps: Partial<TokenCommandDeps> = {}): void {
  program
    .command("token")
    .argument("<document>", "the connection's state document: a XeroOAuthConnection's, or a Custom Connection's registration or link")
    .option("--backend <address>", "state backend: local:<dir> or pg:<schema> (PG_CONN_STR / PG* for the connection)", DEFAULT_BACKEND)
    .option("--tenant <id-or-name>", "the organisation: a tenant id or its name (default: the only one the consent covers)")
    .option("--format <format>", "raw (the token), header (Authorization: Bearer …) or json (token, expiry, tenant id and name)", DEFAULT_FORMAT)
    .description("print a valid access token (cached until 5 minutes before it expires, else refreshed under the document's lock)")
    .addHelpText(
      "after",
      `
Examples:
  $ cdktf-xero token crm/CrmConnection
  $ curl -H "$(cdktf-xero token crm/CrmConnection --format header)" -H "Xero-tenant-id: $TENANT_ID" https://api.xero.com/api.xro/2.0/Invoices
  $ cdktf-xero token billing/Sync --backend pg:cdktf_xero --tenant "Demo Company (NZ)" --format json

Only the token goes to stdout. Exit 0: printed; 1: no token (not consented yet, a new consent needed,
Xero or the state backend failed: the message on stderr says what to do); 64: bad flags.`,
    )
    .action((document: string, flags: TokenFlags) => runTokenCommand(document, flags, deps));
}

/**
 * The command's action, shared by commander and the CLI's token fast path (cli/main.ts), which
 * runs it for the plain command lines {@link parseTokenCommandLine} accepts without loading commander.
 */
export async function runTokenCommand(document: string, flags: TokenFlags, overrides: Partial<TokenCommandDeps> = {}): Promise<void> {
  const deps: TokenCommandDeps = { ...defaultDeps(), ...overrides };
  const format = tokenFormat(flags.format);
  const { backendFromFlag } = require("../backend-flag") as typeof import("../backend-flag");
  const address = backendFromFlag(flags.backend, { showValue: true });
  const { getAccessToken } = require("../../providers/tokens/get-access-token") as typeof import("../../providers/tokens/get-access-token");
  const token = await getAccessToken({
    backend: address,
    document,
    env: deps.env,
    cwd: deps.cwd,
    stderr: deps.stderr,
    backendFlag: `--backend ${flags.backend}`,
    ...(flags.tenant === undefined ? {} : { tenant: flags.tenant }),
  });
  deps.stdout.write(`${renderToken(token, format)}\n`);
}

const TOKEN_VALUE_FLAGS = { "--backend": "backend", "--tenant": "tenant", "--format": "format" } as const;

/**
 * The document and flags of a plain `token <document> [--backend X] [--tenant X] [--format X]` (the
 * flags in any order, each at most once), with commander's defaults filled in; undefined for any
 * other command line (help, `--flag=value`, `--`, repeated or unknown flags, extra arguments, a
 * document or value that starts with "-"), which commander parses and reports as before.
 */
export function parseTokenCommandLine(argv: readonly string[]): { document: string; flags: TokenFlags } | undefined {
  const [command, document, ...rest] = argv;
  if (command !== "token" || document === undefined || document.startsWith("-") || rest.length % 2 !== 0) return undefined;
  const given: { backend?: string; tenant?: string; format?: string } = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!;
    const value = rest[i + 1]!;
    if (!Object.hasOwn(TOKEN_VALUE_FLAGS, flag) || value.startsWith("-")) return undefined;
    const name = TOKEN_VALUE_FLAGS[flag as keyof typeof TOKEN_VALUE_FLAGS];
    if (given[name] !== undefined) return undefined;
    given[name] = value;
  }
  const flags: TokenFlags = { backend: given.backend ?? DEFAULT_BACKEND, format: given.format ?? DEFAULT_FORMAT, ...(given.tenant === undefined ? {} : { tenant: given.tenant }) };
  return { document, flags };
}

function tokenFormat(text: string): TokenFormat {
  if ((TOKEN_FORMATS as readonly string[]).includes(text)) return text as TokenFormat;
  const { ConfigError } = require("../../providers/errors") as typeof import("../../providers/errors");
  throw new ConfigError(`--format must be one of ${TOKEN_FORMATS.join(", ")}, got ${JSON.stringify(text)}; nothing was done`);
}

/** The token as the consumer asked for it (one line). */
export function renderToken(token: AccessToken, format: TokenFormat): string {
  switch (format) {
    case "raw":
      return token.accessToken;
    case "header":
      return `Authorization: Bearer ${token.accessToken}`;
    case "json":
      return JSON.stringify({
        accessToken: token.accessToken,
        expiresAt: token.expiresAt.toISOString(),
        tenantId: token.tenantId ?? null,
        tenantName: token.tenantName ?? null,
      });
  }
}
