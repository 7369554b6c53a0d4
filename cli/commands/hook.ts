import type { Command } from "commander";
import { runHook } from "../../providers/lifecycle";
import { HOOK_VERBS, HookEnv, type HookVerb } from "../../contract/hook-spec";

/**
 * `cdktf-xero hook init|apply|destroy`: the lifecycle hooks Terraform's local-exec provisioners run
 * for every cdktf-xero construct (see contract/hook-spec.ts for the contract). The action wires the
 * process's environment, working directory and streams into {@link runHook} and renders; errors go
 * to cli/run.ts, which prints `cdktf-xero: CODE: message` first and sets the exit code.
 */
export interface HookFlags {
  json?: boolean;
}

const DESCRIPTIONS: Readonly<Record<HookVerb, string>> = {
  init: "create the resource's state document if it does not exist (generation 0)",
  apply: "prove the resource live against Xero and record the outcome in its state document",
  destroy: "retire the resource's state document (and unlink a Custom Connection when asked)",
};

export function registerHookCommand(program: Command): void {
  const hook = program
    .command("hook")
    .description("Lifecycle hooks of synthesized cdktf-xero resources (run by Terraform's local-exec provisioners)");
  for (const verb of HOOK_VERBS) {
    hook
      .command(verb)
      .description(DESCRIPTIONS[verb])
      .option("--json", "print the result as one JSON line on stdout (progress lines go to stderr)")
      .addHelpText(
        "after",
        `
Reads the hook spec from ${HookEnv.spec}${verb === "init" ? "" : `, its hash from ${HookEnv.specSha256} and the generation from ${HookEnv.generation}`};
Terraform sets them. Endpoints: XERO_LOGIN_URL, XERO_IDENTITY_URL, XERO_API_URL (default: Xero).

Example (what the synthesized provisioner runs, from the stack directory):
  $ ${HookEnv.spec}='{"version":1,…}'${verb === "init" ? "" : ` ${HookEnv.specSha256}=… ${HookEnv.generation}=0`} node ../../../dist/cli/hook-launcher.js hook ${verb}`,
      )
      .action((flags: HookFlags) => runHookCommand(verb, flags));
  }
}

/**
 * The action of `cdktf-xero hook <verb>`: commander's, and cli/main.ts's fast path for the exact
 * argument lists the synthesized provisioners use (so a hook process does not load commander).
 */
export async function runHookCommand(verb: HookVerb, flags: HookFlags): Promise<void> {
  const result = await runHook(verb, {
    env: process.env,
    cwd: process.cwd(),
    stdout: flags.json === true ? process.stderr : process.stdout,
    stderr: process.stderr,
  });
  if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
}
