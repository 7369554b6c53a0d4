import { DocumentOutputs, RotationSecretKeys } from "../../spec/document-outputs";
import { rotationDocumentFor, type SecretReference } from "../../spec/hook-spec";
import type { StateBackendAddress } from "../../spec/state-address";
import type { HookContext } from "./context";
import type { AppDescription } from "./errors";
import { resolveSecret } from "./secrets";

/** A resolved app secret and where it came from (for messages). */
export interface ResolvedAppSecret {
  readonly value: string;
  readonly reference: SecretReference;
}

/**
 * The client secret an app's own hooks (registration apply, link apply and unlink) use: the CURRENT
 * of the app's rotation (`<app document>/rotation` in the app's backend) once one is recorded, else
 * the spec's reference. So a rotation switches the app's hooks at the same moment as every consumer
 * reading CURRENT. It costs one document read (no key needed when there is no envelope); a retired
 * rotation still counts: its CURRENT is the last secret proved live. A CURRENT recorded for another
 * client id (the app was registered again) is not this client's and is ignored.
 */
export async function resolveAppSecret(
  appDocument: string,
  backendAddress: StateBackendAddress,
  reference: SecretReference,
  app: AppDescription,
  ctx: HookContext,
): Promise<ResolvedAppSecret> {
  const backend = await ctx.backend(backendAddress);
  const document = rotationDocumentFor(appDocument);
  const stored = await backend.read(document);
  if (stored?.values.secrets !== undefined && stored.values[DocumentOutputs.clientId] === app.clientId) {
    const current = (await backend.openSecrets(stored))[RotationSecretKeys.current];
    if (current !== undefined && current !== "") {
      ctx.registerSecret(current);
      return { value: current, reference: { source: "state", document, key: RotationSecretKeys.current } };
    }
  }
  return { value: await resolveSecret(reference, app, backendAddress, ctx), reference };
}
