/**
 * The entry point of the token bundle (see cli-bundle.ts): `cdktf-xero token` for the command lines
 * the CLI's token fast path runs, and what the build's training run calls before it saves V8's code
 * cache. The bundle holds what a cached token runs: the command, the state backend and the document
 * codec. The rest (the Xero client and the refresh, client credentials, pg, the lock file, an
 * error's advice) is in its part, token-refresh-bundle.js, loaded when first required, and pg
 * (and axios, behind a proxy) load from node_modules.
 */
import { parseTokenCommandLine, runTokenCommand, type TokenFlags } from "./commands/token";

export { runCliAsProcess } from "./main";

/** The plain `token <document> [--backend X] [--tenant X] [--format X]` lines; help and mistakes go to commander. */
export function servesCommandLine(argv: readonly string[]): boolean {
  return parseTokenCommandLine(argv) !== undefined;
}

/** Runs `token` in this process with its output discarded: the build's training run. */
export async function runTokenSilently(document: string, flags: TokenFlags, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<void> {
  const discard = { write: (): void => undefined };
  await runTokenCommand(document, flags, { env, cwd, stdout: discard, stderr: discard });
}
