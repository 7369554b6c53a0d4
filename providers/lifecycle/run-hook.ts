import { hashHookSpec, HookEnv, type HookSpec } from "../../contract/hook-spec";
import { HookContext, type HookDeps } from "./context";
import { initDocument } from "./init";
import { readHookInputs, type HookRun, type HookVerb } from "./inputs";
import { applyLink, destroyLink } from "./link";
import { applyRegistration, destroyRegistration } from "./registration";
import { applyRotation, destroyRotation } from "./rotation";
import type { HookResult } from "./result";

/**
 * Runs one lifecycle hook: reads the spec, sha and generation from `deps.env`, does the kind's work
 * and writes the outcome to the state backend (one compare-and-swap, nothing when unchanged or on
 * failure). Throws typed errors whose messages never carry a secret value.
 *
 * @example
 * const result = await runHook("apply", { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
 */
export async function runHook(verb: HookVerb, deps: HookDeps): Promise<HookResult> {
  const { spec, run } = readHookInputs(verb, deps.env);
  const ctx = new HookContext(deps);
  try {
    if (verb === "init" || run === undefined) return await initDocument(spec, ctx);
    if (hashHookSpec(spec) !== run.specSha256) {
      ctx.warn(
        `cdktf-xero: warning: ${spec.document}: ${HookEnv.specSha256} is not the hash of ${HookEnv.spec} ` +
          `(the stack was synthesized by another cdktf-xero version?); recording the hash Terraform passed.`,
      );
    }
    return await dispatch(verb, spec, run, ctx);
  } catch (error) {
    throw scrubSecrets(error, ctx);
  } finally {
    await ctx.close();
  }
}

function dispatch(verb: Exclude<HookVerb, "init">, spec: HookSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  if (spec.kind === "app_registration") return verb === "apply" ? applyRegistration(spec, run, ctx) : destroyRegistration(spec, run, ctx);
  if (spec.kind === "secret_rotation") return verb === "apply" ? applyRotation(spec, run, ctx) : destroyRotation(spec, run, ctx);
  return verb === "apply" ? applyLink(spec, run, ctx) : destroyLink(spec, run, ctx);
}

/**
 * Last line of defence: no message is built from a secret value, but should one ever carry a
 * resolved secret (e.g. from a library error), it leaves redacted.
 */
export function scrubSecrets(error: unknown, ctx: HookContext): unknown {
  if (error instanceof Error) {
    const clean = ctx.secretRedactor.text(error.message);
    if (clean !== error.message) error.message = clean;
    // The error keeps its class (the CLI maps codes by it); its cause chain, which may hold a
    // library's raw error, is replaced by a scrubbed copy.
    if (error.cause !== undefined) error.cause = ctx.secretRedactor.error(error.cause);
  }
  return error;
}
