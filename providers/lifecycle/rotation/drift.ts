import { appDocumentOfRotation, RotationOutputs, RotationPolicy, RotationSecretKeys, type SecretRotationSpec } from "../../../contract/rotation";
import { HOOK_SPEC_VERSION } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import type { DriftFinding } from "../../drift/findings";
import type { DriftCheckContext, DriftTarget, KindCheckResult, KindDriftCheck } from "../../drift/kind-check";
import type { OutputValues, StoredDocument } from "../../state";
import { XERO_APP_MANAGEMENT_URL } from "../runtime/errors";

/**
 * Drift of an `XeroSecretRotation`, from its document and the clock alone (no Xero call: the app's
 * own check proves the secret its hooks use, the rotation's CURRENT), once its envelope opens:
 * - overdue: CURRENT older than maxAge;
 * - a PENDING candidate staged more than a day ago and still not promoted;
 * - a PREVIOUS kept past its expiry.
 */

/** How long a staged candidate may wait for the deploy that promotes it. */
export const PENDING_STALE_AFTER_MS = 86_400_000;


function text(values: OutputValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function timeOf(values: OutputValues, key: string): number | undefined {
  const value = text(values, key);
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function duration(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : hours >= 1 ? `${hours} h` : `${Math.max(1, Math.floor(ms / 60_000))} min`;
}

/** The findings of one rotation document at `now`. Pure. */
export function rotationFindings(spec: SecretRotationSpec, values: OutputValues, now: Date): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const at = now.getTime();
  const appDocument = spec.app.document;
  const stage =
    `Generate a new secret at ${XERO_APP_MANAGEMENT_URL}, stage it with \`cdktf-xero secret stage ${appDocument}\` and deploy ` +
    "(the deploy tests and promotes it)";
  const rotatedAt = timeOf(values, RotationOutputs.names.rotatedAt);
  if (rotatedAt !== undefined && text(values, RotationOutputs.names.currentFingerprint) !== undefined) {
    const dueAt = rotatedAt + spec.maxAgeSeconds * 1000;
    if (at >= dueAt) {
      findings.push({
        code: "rotation.overdue",
        expected: `the current secret is younger than maxAge (${spec.maxAgeSeconds} s): due ${new Date(dueAt).toISOString()}`,
        live: `current since ${new Date(rotatedAt).toISOString()}, ${duration(at - rotatedAt)} old (overdue by ${duration(at - dueAt)})`,
        fix: stage,
      });
    }
  }
  if (text(values, RotationOutputs.names.pendingFingerprint) !== undefined) {
    const stagedAt = timeOf(values, RotationOutputs.names.pendingStagedAt) ?? timeOf(values, RotationOutputs.names.stepAt);
    if (stagedAt !== undefined && at - stagedAt > PENDING_STALE_AFTER_MS) {
      findings.push({
        code: "rotation.pending_stale",
        expected: "a staged secret is tested and promoted by the next deploy, within a day",
        live: `PENDING staged ${new Date(stagedAt).toISOString()} (${duration(at - stagedAt)} ago), last step ${text(values, RotationOutputs.names.step) ?? "unknown"}`,
        fix: `Deploy (cdktf deploy) to test and promote it; if its test failed, stage a secret Xero accepts with \`cdktf-xero secret stage ${appDocument}\``,
      });
    }
  }
  const previousExpiresAt = timeOf(values, RotationOutputs.names.previousExpiresAt);
  if (previousExpiresAt !== undefined && at >= previousExpiresAt) {
    findings.push({
      code: "rotation.previous_kept",
      expected: `PREVIOUS dropped at ${new Date(previousExpiresAt).toISOString()} (keepPrevious)`,
      live: `PREVIOUS still recorded ${duration(at - previousExpiresAt)} later`,
      fix: `Deploy (cdktf deploy): the rotation hook drops PREVIOUS; then delete that secret at ${XERO_APP_MANAGEMENT_URL}`,
    });
  }
  return findings;
}

async function check(target: DriftTarget<SecretRotationSpec>, ctx: DriftCheckContext): Promise<KindCheckResult> {
  // The envelope must open with the keys drift was given, as the deploy's must: a key error here is
  // thrown, and the runner reports it as `document.unreadable`.
  if (target.stored.values[RotationOutputs.names.secrets] !== undefined) await (await ctx.backend(target.spec.backend)).openSecrets(target.stored);
  const notes = text(target.stored.values, RotationOutputs.names.currentFingerprint) === undefined ? ["no CURRENT recorded yet (never deployed past init)"] : [];
  return { findings: rotationFindings(target.spec, target.stored.values, ctx.now), notes };
}

export const secretRotationDriftCheck: KindDriftCheck<SecretRotationSpec> = {
  kind: "secret_rotation",
  recognises: (stored) => appDocumentOfRotation(stored.name) !== undefined && typeof stored.values[RotationOutputs.names.step] === "string",
  specNeedsOtherDocuments: () => false,
  specFromDocument(stored: StoredDocument, backend: StateBackendAddress) {
    const values = stored.values;
    const rotatedAt = timeOf(values, RotationOutputs.names.rotatedAt);
    const nextDue = timeOf(values, RotationOutputs.names.nextDue);
    const clientId = text(values, RotationOutputs.names.clientId);
    if (rotatedAt === undefined || nextDue === undefined || clientId === undefined) {
      return { problem: "the document records no rotatedAt, nextDue and client id (never applied)" };
    }
    // maxAge is not recorded as such; next_due is rotated_at + maxAge.
    const maxAgeSeconds = Math.min(RotationPolicy.maxSeconds, Math.max(1, Math.round((nextDue - rotatedAt) / 1000)));
    const appDocument = appDocumentOfRotation(stored.name) ?? stored.name;
    return {
      version: HOOK_SPEC_VERSION,
      kind: "secret_rotation",
      document: stored.name,
      backend,
      app: {
        document: appDocument,
        backend,
        appName: text(values, RotationOutputs.names.appName) ?? appDocument,
        appKind: "custom_connection",
        clientId,
        clientSecret: { source: "state", document: stored.name, key: RotationSecretKeys.current },
        scopes: ["openid"],
      },
      maxAgeSeconds,
      keepPreviousSeconds: 0,
      onOverdue: "warn",
    };
  },
  check,
};
