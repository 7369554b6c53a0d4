import type { Command, CommanderError } from "commander";
import { ConfigError } from "../providers/errors";

/**
 * Commander's parse errors, as cdktf-xero's own CONFIG_INVALID. Commander would print the text of an
 * unknown option or command (`error: unknown option '-_Xq9…'`), and a secret pasted on a command line
 * by mistake often is one: real Xero client secrets may start with `-`. So no message here repeats
 * what the user typed; each names the command and where its usage is.
 */
export function usageErrorFrom(error: CommanderError, program: Command, argv: readonly string[]): ConfigError {
  const command = commandPath(program, argv);
  const help = `run \`${command} --help\` for its usage; nothing was done`;
  const suggestion = /\n\(Did you mean (-[-A-Za-z0-9]+|[a-z][a-z-]*)\?\)$/.exec(error.message)?.[1];
  const didYouMean = suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`;
  const unexpected = "an unexpected argument (not shown: it may be a secret)";
  switch (error.code) {
    case "commander.unknownOption":
      return new ConfigError(`${command}: ${unexpected} is not one of its options${didYouMean}; ${help}`, { cause: error });
    case "commander.unknownCommand":
      return new ConfigError(`${command}: ${unexpected} is not one of its commands${didYouMean}; ${help}`, { cause: error });
    case "commander.excessArguments":
      return new ConfigError(`${command}: ${unexpected} is more than it takes; ${help}`, { cause: error });
    case "commander.missingArgument":
    case "commander.optionMissingArgument":
    case "commander.missingMandatoryOptionValue":
      // Commander's text names only the declared argument or option: `missing required argument 'document'`.
      return new ConfigError(`${command}: ${error.message.replace(/^error: /, "")}; ${help}`, { cause: error });
    default:
      return new ConfigError(`${command}: ${unexpected} was not understood; ${help}`, { cause: error });
  }
}

/** `cdktf-xero secret stage`: the program's name and the commands `argv` names, as far as they exist. */
export function commandPath(program: Command, argv: readonly string[]): string {
  const names = [program.name()];
  let command = program;
  for (const word of argv) {
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (sub === undefined) break;
    names.push(word);
    command = sub;
  }
  return names.join(" ");
}
