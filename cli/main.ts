#!/usr/bin/env node
import type { Command } from "commander";
import type { HookVerb } from "../contract/hook-spec";

/*
 * This module loads nothing before the entry point at the bottom has chosen between a bundle
 * (cli-bundle.ts) and the plain CLI: every module below is required where it is needed.
 */

type Commander = typeof import("commander");

/** Exit codes and error output (cli/run.ts). */
function run(): typeof import("./run") {
  return require("./run") as typeof import("./run");
}

/**
 * Whether `verb` is a hook verb; contract/hook-spec (every kind's contract) is loaded only for a
 * `hook` command line, so `token`, run once per consumer call, does not pay for it.
 */
function isHookVerb(verb: string | undefined): verb is HookVerb {
  return (require("../contract/hook-spec") as typeof import("../contract/hook-spec")).isHookVerb(verb);
}

/** commander, loaded only when the command line is not one of the fast paths' (see {@link hookFastPath}, {@link tokenFastPath}). */
function commander(): Commander {
  return require("commander") as Commander;
}

/** Registers the commands `argv` may name (commands/index.ts loads only the one named, else all). */
export type RegisterCommands = (program: Command, argv: readonly string[]) => void;

const registerEveryCommand: RegisterCommands = (program, argv) => (require("./commands") as typeof import("./commands")).registerCommands(program, argv);

export function buildProgram(argv: readonly string[] = [], registerCommands: RegisterCommands = registerEveryCommand): Command {
  const program = new (commander().Command)("cdktf-xero")
    .description("Xero app registrations, Custom Connection links and secret rotations, as code")
    .version((require("./version") as typeof import("./version")).packageVersion(), "-V, --version", "print the version of cdktf-xero")
    // Commander's own error lines repeat what was typed (a secret, pasted by mistake, would show):
    // they are silenced here and runCli reports the error, translated by usage-errors.ts.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerCommands(program, argv);
  return program;
}

/**
 * The fast path: Terraform starts one CLI process per hook resource, always with one of the exact
 * argument lists the synthesized provisioners use (`hook <verb>`; `hook <verb> --json` by hand).
 * Those run the hook's action directly, without loading commander or building the program: for
 * them commander would only have called the same action. Anything else (help, other flags, other
 * commands, mistakes) goes through commander as before. Returns the action, or undefined.
 */
function hookFastPath(argv: readonly string[]): (() => Promise<void>) | undefined {
  if (!isHookCommandLine(argv)) return undefined;
  const [, verb, flag] = argv;
  if (!isHookVerb(verb)) return undefined;
  const hook = require("./commands/hook") as typeof import("./commands/hook");
  return () => hook.runHookCommand(verb, flag === undefined ? {} : { json: true });
}

/**
 * The token fast path: `cdktf-xero token` runs once per consumer call, so its start-up is most of
 * what a cached token costs, and commander was a quarter of the modules it loaded. The plain command
 * lines (`token <document>` with `--backend`, `--tenant` and `--format`, each at most once, in any
 * order) run the command's action directly; anything else (help, mistakes) goes through commander
 * as before, so its output and exit codes stay commander's. Returns the action, or undefined.
 */
function tokenFastPath(argv: readonly string[]): (() => Promise<void>) | undefined {
  if (argv[0] !== "token") return undefined;
  const token = require("./commands/token") as typeof import("./commands/token");
  const line = token.parseTokenCommandLine(argv);
  return line === undefined ? undefined : () => token.runTokenCommand(line.document, line.flags);
}

/** Whether `argv` is one the fast path runs: `hook <verb>` for one of HOOK_VERBS, optionally `--json`. */
export function isHookCommandLine(argv: readonly string[]): boolean {
  const [command, verb, flag, ...rest] = argv;
  if (command !== "hook" || rest.length > 0 || (flag !== undefined && flag !== "--json")) return false;
  return isHookVerb(verb);
}

export interface RunCliOptions {
  /** false: every command line goes through commander (the tests compare both ways). @default true */
  readonly fastPaths?: boolean;
  /**
   * The commands commander may run. A bundle that serves one command (the drift bundle) registers
   * that command alone, as commands/index.ts does for a command line that names it. @default every command
   */
  readonly registerCommands?: RegisterCommands;
}

/**
 * Runs the CLI and resolves to the exit code. It never calls `process.exit`; the drift bundle's entry
 * does, once the command has finished and its output is out (cli/exit-when-flushed.ts).
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  let program: Command | undefined;
  try {
    const runFast = options.fastPaths === false ? undefined : (hookFastPath(argv) ?? tokenFastPath(argv));
    if (runFast !== undefined) {
      await runFast();
    } else {
      program = buildProgram(argv, options.registerCommands);
      await program.parseAsync([...argv], { from: "user" });
    }
    return typeof process.exitCode === "number" ? process.exitCode : run().ExitCode.ok;
  } catch (caught) {
    let error = caught;
    if (program !== undefined && caught instanceof commander().CommanderError) {
      if (caught.exitCode === 0) return run().ExitCode.ok; // --help or --version, printed by commander
      // Help shown for a command that needs a subcommand (`cdktf-xero state`): commander printed it.
      if (caught.code === "commander.help" || caught.code === "commander.helpDisplayed") return run().ExitCode.usage;
      error = (require("./usage-errors") as typeof import("./usage-errors")).usageErrorFrom(caught, program, argv);
    }
    // Only on failure: a damaged document's advice names its construct's Init resource (read from cdktf.out).
    const { withRecoveryAdvice } = require("../providers/lifecycle/runtime/recovery") as typeof import("../providers/lifecycle/runtime/recovery");
    const shown = await withRecoveryAdvice(error, process.cwd());
    const { describeError, describeErrorAsJson, exitCodeFor, wantsJson } = run();
    process.stderr.write(`${wantsJson(argv) ? describeErrorAsJson(shown) : describeError(shown)}\n`);
    return exitCodeFor(shown);
  }
}

/** Runs the CLI as this process: its exit code becomes the process's. Shared by both entry points. */
export function runCliAsProcess(argv: readonly string[], options: RunCliOptions = {}): Promise<void> {
  return runCli(argv, options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const { describeError, describeErrorAsJson, ExitCode, wantsJson } = run();
      process.stderr.write(`${wantsJson(argv) ? describeErrorAsJson(error) : describeError(error)}\n`);
      process.exitCode = ExitCode.error;
    },
  );
}

// The bin: from a bundle when one serves the command line (cli-bundle.ts), else the plain CLI above.
if (require.main === module) (require("./cli-bundle") as typeof import("./cli-bundle")).launchCli(process.argv.slice(2));
