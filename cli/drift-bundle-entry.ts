/**
 * The entry point of the drift bundle (see cli-bundle.ts): `cdktf-xero drift`, parsed by commander
 * with the drift command alone registered, as commands/index.ts registers it for a command line
 * that names it, so help, usage errors and exit codes are the plain CLI's. Also what the build's
 * training run calls before it saves V8's code cache.
 */
import { registerDriftCommand, type DriftCommandDeps } from "./commands/drift";
import { exitWhenFlushed } from "./exit-when-flushed";
import { runCli, runCliAsProcess as runAnyCliAsProcess } from "./main";

/** Every `drift` command line. */
export function servesCommandLine(argv: readonly string[]): boolean {
  return argv[0] === "drift";
}

/** Runs `drift` as this process, and ends the process as soon as its output is out (exit-when-flushed.ts). */
export async function runCliAsProcess(argv: readonly string[]): Promise<void> {
  await runAnyCliAsProcess(argv, { registerCommands: (program) => registerDriftCommand(program) });
  exitWhenFlushed(typeof process.exitCode === "number" ? process.exitCode : 0);
}

/** Runs a `drift` command line in this process with its output discarded: the build's training run. */
export async function runDriftSilently(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<void> {
  const discard = { write: (): void => undefined };
  const deps: Partial<DriftCommandDeps> = { env, cwd, stdout: discard, stderr: discard, setExitCode: () => undefined };
  await runCli(argv, { registerCommands: (program) => registerDriftCommand(program, deps) });
}
