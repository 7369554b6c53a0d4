import type { SecretRotationSpec } from "../../spec/hook-spec";
import { CdktfXeroError } from "../errors";
import type { HookContext } from "./context";
import type { HookRun } from "./inputs";
import type { HookResult } from "./result";

/** Placeholder until the rotation protocol lands (issue 5): the spec kind exists so constructs can render it. */
class RotationNotBuiltError extends CdktfXeroError {
  readonly code = "HOOK_ROTATION_UNAVAILABLE";
}

export async function applyRotation(spec: SecretRotationSpec, _run: HookRun, _ctx: HookContext): Promise<HookResult> {
  throw new RotationNotBuiltError(`${spec.document}: this cdktf-xero version cannot run secret rotations yet; upgrade cdktf-xero`);
}

export async function destroyRotation(spec: SecretRotationSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  return applyRotation(spec, run, ctx);
}
