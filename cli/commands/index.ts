import type { Command } from "commander";

/**
 * Every subcommand, one file each. Each is loaded only when needed: Terraform starts the CLI once
 * per hook, so `cdktf-xero hook apply` must not pay for loading the emulator or the state commands.
 */
const COMMANDS: Readonly<Record<string, () => (program: Command) => void>> = {
  drift: () => (require("./drift") as typeof import("./drift")).registerDriftCommand,
  emulator: () => (require("./emulator") as typeof import("./emulator")).registerEmulatorCommand,
  hook: () => (require("./hook") as typeof import("./hook")).registerHookCommand,
  secret: () => (require("./secret") as typeof import("./secret")).registerSecretCommand,
  state: () => (require("./state") as typeof import("./state")).registerStateCommand,
  token: () => (require("./token") as typeof import("./token")).registerTokenCommand,
};

/** Registers the command `argv` names, or all of them (for help and unknown commands). */
export function registerCommands(program: Command, argv: readonly string[] = []): void {
  const first = argv[0];
  const names = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  for (const name of names) COMMANDS[name]!()(program);
}
