/**
 * The entry point of the hook bundle (see cli-bundle.ts): the CLI, and what the build uses to warm
 * the bundle up before it saves V8's code cache, so the cache covers what a hook runs.
 */
import { runHook, type HookVerb } from "../providers/lifecycle";

export { runCliAsProcess } from "./main";
/** The hook command lines the CLI's hook fast path runs: `hook <verb> [--json]`. */
export { isHookCommandLine as servesCommandLine } from "./main";

/** Loads, without running anything, every module a hook may need: the hook command, pg. */
export function loadHookModules(): void {
  require("./commands/hook");
  require("../providers/state/pg/pg-store");
  require("pg");
}

/** Runs one hook in this process with its output discarded: the build's training run. */
export async function runHookSilently(verb: HookVerb, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<void> {
  const discard = { write: (): void => undefined };
  await runHook(verb, { env, cwd, stdout: discard, stderr: discard });
}
