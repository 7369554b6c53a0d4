import { CommonOutputs } from "../../../contract/document-codec";
import { rotationDocumentFor, RotationOutputs } from "../../../contract/rotation";
import type { HookSpec } from "../../../contract/hook-spec";
import type { SecretReference } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import { CdktfXeroError } from "../../errors";
import type { HookContext } from "./context";
import type { AppDescription } from "./errors";
import { resolveSecret } from "./secret-reference";

/**
 * `hook init`'s checks, before it creates anything: what this construct's deploy will need must be
 * there, so a missing state key or secret fails the first step, not a hook halfway through the
 * deploy. Each check that fails is named; nothing is written.
 *
 * - the backend answers (one read of the document);
 * - then the kind's `readyChecks` (KindHooks), in order, e.g.:
 *   - a rotation: a state key that can seal its secrets (PostgreSQL needs a configured one; the
 *     local backend may create the embedded default);
 *   - the app's secret reference resolves ({@link checkAppSecret}), unless the app's rotation
 *     already records a CURRENT for this client id (then the hooks use that, and the reference may
 *     be gone); the app's rotation document, when it holds secrets, opens with the configured keys
 *     (the app's own hooks read its CURRENT).
 */
export async function checkDeployReady(spec: HookSpec, ctx: HookContext, readyChecks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  const problems: string[] = [];
  const note = (error: unknown): void => {
    if (error instanceof CdktfXeroError) problems.push(`${error.code}: ${error.message}`);
    else throw error;
  };
  try {
    const backend = await ctx.backend(spec.backend);
    await backend.read(spec.document);
  } catch (error) {
    note(error);
    throw new HookNotReadyError(spec.document, problems);
  }
  for (const check of readyChecks) await check().catch(note);
  if (problems.length > 0) throw new HookNotReadyError(spec.document, problems);
}

/** The app whose secret a hook will need, and where its reference and rotation live. */
export interface AppSecretNeeds {
  readonly description: AppDescription;
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly reference: SecretReference;
}

/**
 * The app's secret will be there when the hooks need it: its rotation's CURRENT for this client id,
 * or else the reference resolves. `hookDocument` is the document of the hook asking.
 */
export async function checkAppSecret(hookDocument: string, app: AppSecretNeeds, ctx: HookContext): Promise<void> {
  const backend = await ctx.backend(app.backend);
  const rotation = await backend.read(rotationDocumentFor(app.document));
  if (rotation?.values[CommonOutputs.names.secrets] !== undefined) await backend.openSecrets(rotation);
  const recordsCurrent =
    rotation !== undefined &&
    rotation.values[CommonOutputs.names.clientId] === app.description.clientId &&
    typeof rotation.values[RotationOutputs.names.currentFingerprint] === "string" &&
    rotation.values[RotationOutputs.names.currentFingerprint] !== "";
  if (recordsCurrent) return;
  // A rotation whose declared secret is its own CURRENT has nothing to resolve yet: its apply says how to stage one.
  if (app.reference.source === "state" && app.reference.document === hookDocument) return;
  await resolveSecret(app.reference, app.description, app.backend, ctx);
}

/** `hook init` found that the deploy cannot succeed. Nothing was written. */
export class HookNotReadyError extends CdktfXeroError {
  readonly code = "HOOK_NOT_READY";
  constructor(document: string, problems: readonly string[]) {
    super(
      `${document}: this deploy would fail, so hook init changed nothing: ` +
        `${problems.map((problem, index) => `${index + 1}) ${problem}`).join(" ")} ` +
        "Fix each, then run cdktf deploy again (Terraform runs this Init hook again, since it failed).",
      { context: { document, problems: [...problems] } },
    );
  }
}
