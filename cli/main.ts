#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands";
import { describeError, exitCodeFor, ExitCode } from "./run";

export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command("cdktf-xero")
    .description("Xero app registrations, Custom Connection links and secret rotations, as code")
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program, argv);
  return program;
}

/** Runs the CLI and resolves to the exit code; `process.exit` is called only by the entry point below. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help/version text).
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    process.stderr.write(`${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      process.exitCode = ExitCode.error;
    },
  );
}
