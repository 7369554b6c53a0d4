import { RegistrationOutputs } from "../../../contract/registration";
import { MAX_CLIENT_SECRET_BYTES } from "../../../contract/spec-common";
import { rotationDocumentFor, ROTATED_APP_KINDS, RotationOutputs, type RotatedAppKind } from "../../../contract/rotation";
import {
  checkDocumentName,
  checkDocumentNameLength,
  formatBackendAddress,
  MAX_DOCUMENT_NAME_LENGTH,
  MAX_DOCUMENT_SEGMENT_LENGTH,
  type StateBackendAddress,
} from "../../../contract/state-address";
import { ConfigError } from "../../errors";
import { SECRETS_OUTPUT, type OutputValues, type StateBackend } from "../../state";
import { runOperation, type OperationContext, type OperationDeps } from "../runtime/context";
import { describeApp } from "../runtime/errors";
import { rotationAction } from "./document";
import { RotationAppUnusableError, RotationCandidateRejectedError, RotationNotDeclaredError } from "./errors";
import { formatRfc3339 } from "../../clock";
import { failpointsFrom } from "./failpoints";
import { proveClientSecret, type RotatedApp } from "../app/prove-secret";
import {
  appendRotationLog,
  EMPTY_ROTATION_RECORD,
  readRotationRecord,
  readRotationSecrets,
  rotationEnvelopeValues,
  rotationRecordOutputs,
  type RotationSecrets,
} from "./decisions";

/**
 * `cdktf-xero secret stage`: the operator's half of a rotation. Proves a candidate secret against
 * Xero at once (a typo fails in seconds, not at deploy), then, under the rotation document's lock,
 * records it as PENDING (encrypted, with a new rotation id) and bumps `generation`, so the next plan
 * shows the rotation hook as a replacement and the next deploy carries the rotation out.
 */

export interface StageSecretInput {
  /** The app registration's document, e.g. `billing/BillingApp`. */
  readonly appDocument: string;
  readonly backend: StateBackendAddress;
  /** The candidate secret (from stdin or a named variable; never from argv). */
  readonly candidate: string;
}

/** `staged`: written; `already_staged`: the same candidate is already PENDING; `already_current`: it is CURRENT. Only `staged` writes. */
export type StageOutcome = "staged" | "already_staged" | "already_current";

export interface StageResult {
  readonly appDocument: string;
  /** The rotation document: `<app document>/rotation`. */
  readonly document: string;
  /** `local:<absolute dir>` or `pg:<schema>`. */
  readonly backend: string;
  readonly outcome: StageOutcome;
  readonly rotationId: string;
  readonly pendingFingerprint: string;
  /** The rotation document's generation afterwards. */
  readonly generation: number;
  readonly serial: number | undefined;
  /** Fingerprint of a different PENDING this stage replaced, if any. */
  readonly replacedFingerprint?: string;
}

export interface StageDeps extends OperationDeps {
  /** @default newId (crypto.randomUUID) */
  readonly newRotationId?: () => string;
}

export async function stageSecret(input: StageSecretInput, deps: StageDeps): Promise<StageResult> {
  return runOperation(deps, (ctx) => stage(input, ctx, deps.newRotationId ?? ctx.newId));
}

async function stage(input: StageSecretInput, ctx: OperationContext, newRotationId: () => string): Promise<StageResult> {
  const failpoint = failpointsFrom(ctx.env);
  if (checkDocumentNameLength(input.appDocument) !== undefined) {
    const longest = Math.max(...input.appDocument.split("/").map((segment) => segment.length));
    throw new ConfigError(
      `the app document name is ${input.appDocument.length} characters long, its longest segment ${longest}; the limits are ` +
        `${MAX_DOCUMENT_NAME_LENGTH} and ${MAX_DOCUMENT_SEGMENT_LENGTH} per segment (file names are limited to 255 bytes); the value ` +
        "given is not shown; nothing was written",
    );
  }
  if (checkDocumentName(input.appDocument) !== undefined || !input.appDocument.includes("/")) {
    // Not echoed: a value of the wrong shape here may be the secret, pasted in the wrong place.
    throw new ConfigError(
      "the app document must be the app registration's document name, <stack>/<construct path> (e.g. billing/Sync: " +
        "`cdktf-xero state list` shows them); the value given is not shown; nothing was written",
    );
  }
  checkCandidate(input.candidate);
  ctx.registerSecret(input.candidate);

  const backend = await ctx.backend(input.backend);
  const appOfRotation = appDocumentOfRotation(input.appDocument);
  if (appOfRotation !== undefined) {
    throw new RotationAppUnusableError(
      input.appDocument,
      backend.label,
      `that is the rotation document of app "${appOfRotation}", not an app registration's document`,
      `Name the app's document: \`cdktf-xero secret stage ${appOfRotation} --backend ${formatBackendAddress(backend.address)}\``,
    );
  }
  const app = await readApp(backend, input.appDocument);
  const name = rotationDocumentFor(input.appDocument);
  const done = (outcome: StageOutcome, rotation: { values: OutputValues | undefined; serial: number | undefined }): StageResult => {
    const record = readRotationRecord(rotation.values);
    return {
      appDocument: input.appDocument,
      document: name,
      backend: backend.label,
      outcome,
      rotationId: record.rotationId,
      pendingFingerprint: record.pendingFingerprint,
      generation: record.generation,
      serial: rotation.serial,
    };
  };

  // Equal to CURRENT or already PENDING: say so without asking Xero (checked again under the lock).
  const before = await backend.read(name);
  if (before === undefined) throw new RotationNotDeclaredError(input.appDocument, name, backend.label);
  const early = sameAs(readRotationSecrets(await backend.openSecrets(before)), input.candidate);
  if (early !== undefined) return report(ctx, app, done(early, { values: before.values, serial: before.serial }));

  const proof = await proveClientSecret(app, input.candidate, { source: "state", document: name, key: "pending" }, ctx);
  if (!proof.valid) throw new RotationCandidateRejectedError(app, { document: name, during: "stage" }, { cause: proof.error });
  failpoint("stage-tested");

  let outcome: StageOutcome = "staged";
  let replacedFingerprint: string | undefined;
  const stored = await backend.update(
    name,
    async (current) => {
      // Deleted since the read above (a destroy of the rotation): the same refusal, under the lock.
      if (current === undefined) throw new RotationNotDeclaredError(input.appDocument, name, backend.label);
      const secrets = readRotationSecrets(await backend.openSecrets(current));
      const same = sameAs(secrets, input.candidate);
      outcome = same ?? "staged";
      if (same !== undefined) return undefined;
      replacedFingerprint = secrets.pending === undefined ? undefined : readRotationRecord(current.values).pendingFingerprint;
      return staged(backend, name, current.values, secrets, input.candidate, ctx.clock.now(), newRotationId());
    },
    { action: rotationAction("staged") },
  );
  if (outcome === "staged") failpoint("staged");
  const result = done(outcome, { values: stored?.values, serial: stored?.serial });
  return report(ctx, app, replacedFingerprint === undefined ? result : { ...result, replacedFingerprint });
}

/** The rotation document with `candidate` as PENDING under a new rotation id, and `generation` bumped. */
async function staged(
  backend: StateBackend,
  name: string,
  values: OutputValues | undefined,
  secrets: RotationSecrets,
  candidate: string,
  now: Date,
  rotationId: string,
): Promise<OutputValues> {
  const base = values === undefined ? EMPTY_ROTATION_RECORD : readRotationRecord(values);
  const next = { ...secrets, pending: candidate };
  // Sealed before fingerprinting: sealing may create the embedded default key the fingerprints need.
  const sealed = await backend.sealSecrets(name, rotationEnvelopeValues(next));
  const fingerprint = async (secret: string | undefined): Promise<string> => (secret === undefined ? "" : ((await backend.fingerprintSecret(secret)) ?? ""));
  const record = {
    ...base,
    generation: base.generation + 1,
    pendingFingerprint: await fingerprint(candidate),
    currentFingerprint: await fingerprint(secrets.current),
    rotationId,
    step: "staged" as const,
    stepAt: formatRfc3339(now),
    pendingStagedAt: formatRfc3339(now),
  };
  const kept: Record<string, unknown> = { ...(values ?? {}) };
  delete kept[SECRETS_OUTPUT];
  return {
    ...(kept as OutputValues),
    ...rotationRecordOutputs(record, await fingerprint(secrets.previous)),
    [RotationOutputs.names.log]: appendRotationLog(values, { at: record.stepAt, step: "staged", rotationId }),
    [SECRETS_OUTPUT]: sealed,
  };
}

/** The app document whose rotation document `name` is (`<app document>/rotation`), or undefined. */
function appDocumentOfRotation(name: string): string | undefined {
  const appDocument = name.slice(0, name.lastIndexOf("/"));
  return appDocument.includes("/") && rotationDocumentFor(appDocument) === name ? appDocument : undefined;
}

function sameAs(secrets: RotationSecrets, candidate: string): StageOutcome | undefined {
  if (secrets.current === candidate) return "already_current";
  if (secrets.pending === candidate) return "already_staged";
  return undefined;
}

/** A pasted secret with whitespace inside or control characters is a copy error, whatever Xero would say. */
function checkCandidate(candidate: string): void {
  if (candidate === "") throw new ConfigError("the candidate secret is empty: pipe it on stdin or name a set variable with --from-env");
  if (Buffer.byteLength(candidate, "utf8") > MAX_CLIENT_SECRET_BYTES) {
    throw new ConfigError(
      `the candidate secret holds more than ${MAX_CLIENT_SECRET_BYTES} bytes, the most a client secret may have (Xero's are 48 ` +
        "characters): pipe or name only the secret, as the Xero developer portal shows it; nothing was sent to Xero or written",
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(candidate)) {
    throw new ConfigError(
      "the candidate secret holds whitespace or control characters (a paste error?): copy it again from the Xero developer portal; nothing was written",
    );
  }
}

/** The app as its registration hook recorded it: what `secret stage` needs to know how to test a candidate. */
async function readApp(backend: StateBackend, appDocument: string): Promise<RotatedApp> {
  const stored = await backend.read(appDocument);
  const unusable = (problem: string, fix: string): RotationAppUnusableError =>
    new RotationAppUnusableError(appDocument, backend.label, problem, fix);
  if (stored === undefined) {
    throw unusable(
      "it does not exist",
      `Check the name (\`cdktf-xero state list --backend ${formatBackendAddress(backend.address)}\` lists them) and the backend, ` +
        `and deploy the XeroAppRegistration first`,
    );
  }
  const clientId = stored.values[RegistrationOutputs.names.clientId];
  const kind = stored.values[RegistrationOutputs.names.kind];
  const appName = stored.values[RegistrationOutputs.names.appName];
  if (typeof clientId !== "string" || typeof kind !== "string") {
    throw unusable("it records no client id and kind (its hook has not applied yet)", "Run cdktf deploy first");
  }
  if (!(ROTATED_APP_KINDS as readonly string[]).includes(kind)) {
    throw unusable(`it is a ${kind} app, which has no client secret to rotate`, "Stage secrets only for Web apps and Custom Connections");
  }
  return { clientId, appKind: kind as RotatedAppKind, appName: typeof appName === "string" ? appName : appDocument };
}

function report(ctx: OperationContext, app: RotatedApp, result: StageResult): StageResult {
  const where = `"${result.document}" in ${result.backend}`;
  if (result.outcome === "already_current") {
    ctx.say(`cdktf-xero: the candidate is already the CURRENT secret of ${describeApp(app)} (${where}); nothing changed.`);
  } else if (result.outcome === "already_staged") {
    ctx.say(
      `cdktf-xero: the candidate is already staged for ${describeApp(app)} (rotation ${result.rotationId}, ${result.pendingFingerprint}, ` +
        `${where}); nothing changed. Run cdktf deploy to carry the rotation out.`,
    );
  } else {
    ctx.say(
      `cdktf-xero: Xero accepted the candidate for ${describeApp(app)}; staged it as PENDING ${result.pendingFingerprint} ` +
        `(rotation ${result.rotationId}) in ${where}, generation ${result.generation}` +
        (result.replacedFingerprint === undefined ? "" : `, replacing the candidate ${result.replacedFingerprint} staged before`) +
        `. \`cdktf diff\` now shows the rotation as a replacement; cdktf deploy carries it out.`,
    );
  }
  return result;
}
