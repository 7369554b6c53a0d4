import { CommonOutputs } from "../../../contract/document-codec";
import { rotationDocumentFor, RotationSecretKeys } from "../../../contract/rotation";
import type { SecretReference } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import type { HookContext } from "../runtime/context";
import type { StateBackend } from "../../state";
import { describeApp, describeSecretReference, HookSecretUnavailableError, type AppDescription } from "../runtime/errors";
import { CdktfXeroError } from "../../errors";
import { proveClientSecret } from "./prove-secret";
import { resolveSecret } from "../runtime/secret-reference";

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
  if (stored?.values[CommonOutputs.names.secrets] !== undefined && stored.values[CommonOutputs.names.clientId] === app.clientId) {
    const secrets = await backend.openSecrets(stored);
    const current = secrets[RotationSecretKeys.current];
    if (current !== undefined && current !== "") {
      ctx.registerSecret(current);
      await warnIfDeclaredIsNotCurrent(reference, document, secrets, { app, backend, backendAddress, ctx });
      return { value: current, reference: { source: "state", document, key: RotationSecretKeys.current } };
    }
  }
  return { value: await resolveSecret(reference, app, backendAddress, ctx), reference };
}

/**
 * What Xero says of a declared secret that is neither CURRENT nor PREVIOUS (one more token request,
 * only in this case): invalid, or another live secret of the app. Xero unreachable only leaves it unsaid.
 */
async function judgeOtherSecret(value: string, declared: SecretReference, at: { app: AppDescription; ctx: HookContext }): Promise<string> {
  if (at.app.appKind === "pkce") return "and a PKCE app has no secret";
  try {
    const proof = await proveClientSecret({ ...at.app, appKind: at.app.appKind }, value, declared, at.ctx);
    return proof.valid ? "though Xero accepts it (another live secret of the app)" : "and Xero rejects it (invalid_client): it is no secret of this app";
  } catch (error) {
    if (error instanceof CdktfXeroError) return `and Xero could not be asked about it (${error.code})`;
    throw error;
  }
}

/**
 * Once a rotation holds CURRENT, the declared reference is not used, which is easy to miss: a
 * pipeline variable left at an old (or mistyped) secret deploys green. So the hook says so, naming
 * the reference and both fingerprints (never a value). A reference that does not resolve says
 * nothing: the hooks do not need it.
 */
async function warnIfDeclaredIsNotCurrent(
  declared: SecretReference,
  rotationDocument: string,
  secrets: Readonly<Record<string, string>>,
  at: { app: AppDescription; backend: StateBackend; backendAddress: StateBackendAddress; ctx: HookContext },
): Promise<void> {
  if (declared.source === "state" && declared.document === rotationDocument && declared.key === RotationSecretKeys.current) return;
  let value: string;
  try {
    value = await resolveSecret(declared, at.app, at.backendAddress, at.ctx);
  } catch (error) {
    if (error instanceof HookSecretUnavailableError) return;
    throw error;
  }
  const current = secrets[RotationSecretKeys.current];
  if (value === current) return;
  const which =
    value === secrets[RotationSecretKeys.previous]
      ? "is the rotation's PREVIOUS secret, not its CURRENT"
      : `is not the rotation's CURRENT secret nor its PREVIOUS, ${await judgeOtherSecret(value, declared, at)}`;
  const fingerprint = async (secret: string | undefined): Promise<string> => (secret === undefined ? "" : ((await at.backend.fingerprintSecret(secret)) ?? ""));
  at.ctx.warn(
    `cdktf-xero: warning: ${describeApp(at.app)}: the declared secret in ${describeSecretReference(declared)} ` +
      `(${await fingerprint(value)}) ${which}; the hooks use the CURRENT (${await fingerprint(current)}) of ` +
      `"${rotationDocument}" and ignore the declared one. Set ${describeSecretReference(declared)} to the current ` +
      `secret, or declare the secret as the rotation's CURRENT (XeroSecret.fromState(rotation, "current")).`,
  );
}
