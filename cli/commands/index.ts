import type { Command } from "commander";
import { registerEmulatorCommand } from "./emulator";
import { registerHookCommand } from "./hook";
import { registerStateCommand } from "./state";

/** Every subcommand, one file each; each `register…` adds its command to the program. */
export function registerCommands(program: Command): void {
  void program;
  registerEmulatorCommand(program);
  registerHookCommand(program);
  registerStateCommand(program);
}
