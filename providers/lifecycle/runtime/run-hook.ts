import { hashHookSpec, HookEnv } from "../../../contract/hook-spec";
import { runOperation, type HookDeps } from "./context";
import { HOOKS_BY_KIND } from "./hooks-by-kind";
import { initDocument } from "./init";
import { readHookInputs, type HookVerb } from "./inputs";
import type { KindHooks } from "./kind-hooks";
import type { HookResult } from "./result";

/**
 * Runs one lifecycle hook: reads the spec, sha and generation from `deps.env`, does the kind's work
 * (its {@link KindHooks} in HOOKS_BY_KIND) and writes the outcome to the state backend (one
 * compare-and-swap, nothing when unchanged or on failure). Throws typed errors whose messages never
 * carry a secret value.
 *
 * @example
 * const result = await runHook("apply", { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
 */
export async function runHook(verb: HookVerb, deps: HookDeps): Promise<HookResult> {
  const { spec, run } = readHookInputs(verb, deps.env);
  const hooks: KindHooks = HOOKS_BY_KIND[spec.kind];
  return runOperation(deps, async (ctx) => {
    if (verb === "init" || run === undefined) return initDocument(spec, ctx, hooks.readyChecks(spec, ctx));
    if (hashHookSpec(spec) !== run.specSha256) {
      ctx.warn(
        `cdktf-xero: warning: ${spec.document}: ${HookEnv.specSha256} is not the hash of ${HookEnv.spec} ` +
          `(the stack was synthesized by another cdktf-xero version?); recording the hash Terraform passed.`,
      );
    }
    return verb === "apply" ? hooks.apply(spec, run, ctx) : hooks.destroy(spec, run, ctx);
  });
}
