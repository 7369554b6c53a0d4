import { CommonOutputs } from "../../contract/document-codec";
import { rotationDocumentFor, RotationOutputs } from "../../contract/rotation";
import type { HookSpec } from "../../contract/hook-spec";
import type { SecretReference } from "../../contract/spec-common";
import type { StateBackendAddress } from "../../contract/state-address";
import { CdktfXeroError } from "../errors";
import type { StateBackend } from "../state";
import type { HookContext } from "./context";
import type { AppDescription } from "./errors";
import { resolveSecret } from "./secrets";

/**
 * `hook init`'s checks, before it creates anything: what this construct's deploy will need must be
 * there, so a missing state key or secret fails the first step, not a hook halfway through the
 * deploy. Each check that fails is named; nothing is written.
 *
 * - the backend answers (one read of the document);
 * - a rotation: a state key that can seal its secrets (PostgreSQL needs a configured one; the
 *   local backend may create the embedded default);
 * - the app's secret reference resolves, unless the app's rotation already records a CURRENT for
 *   this client id (then the hooks use that, and the reference may be gone);
 * - the app's rotation document, when it holds secrets, opens with the configured keys (the app's
 *   own hooks read its CURRENT).
 */
export async function checkDeployReady(spec: HookSpec, ctx: HookContext): Promise<void> {
  const problems: string[] = [];
  const note = (error: unknown): void => {
    if (error instanceof CdktfXeroError) problems.push(`${error.code}: ${error.message}`);
    else throw error;
  };
  let backend: StateBackend;
  try {
    backend = await ctx.backend(spec.backend);
    await backend.read(spec.document);
  } catch (error) {
    note(error);
    throw new HookNotReadyError(spec.document, problems);
  }
  if (spec.kind === "secret_rotation") await backend.checkCanSealSecrets(spec.document).catch(note);
  const app = appOf(spec);
  if (app !== undefined) await checkAppSecret(spec, app, ctx).catch(note);
  if (problems.length > 0) throw new HookNotReadyError(spec.document, problems);
}

interface AppSecretNeeds {
  readonly description: AppDescription;
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly reference: SecretReference;
}

function appOf(spec: HookSpec): AppSecretNeeds | undefined {
  switch (spec.kind) {
    case "app_registration":
      return spec.clientSecret === undefined
        ? undefined
        : { description: spec, document: spec.document, backend: spec.backend, reference: spec.clientSecret };
    case "custom_connection_link":
      return { description: { ...spec.app, appKind: "custom_connection" }, document: spec.app.document, backend: spec.app.backend, reference: spec.app.clientSecret };
    case "secret_rotation":
      return { description: spec.app, document: spec.app.document, backend: spec.app.backend, reference: spec.app.clientSecret };
  }
}

async function checkAppSecret(spec: HookSpec, app: AppSecretNeeds, ctx: HookContext): Promise<void> {
  const backend = await ctx.backend(app.backend);
  const rotation = await backend.read(rotationDocumentFor(app.document));
  if (rotation?.values.secrets !== undefined) await backend.openSecrets(rotation);
  const recordsCurrent =
    rotation !== undefined &&
    rotation.values[CommonOutputs.names.clientId] === app.description.clientId &&
    typeof rotation.values[RotationOutputs.names.currentFingerprint] === "string" &&
    rotation.values[RotationOutputs.names.currentFingerprint] !== "";
  if (recordsCurrent) return;
  // A rotation whose declared secret is its own CURRENT has nothing to resolve yet: its apply says how to stage one.
  if (app.reference.source === "state" && app.reference.document === spec.document) return;
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
