import type { SecretReference } from "../../../contract/spec-common";
import { RotationOutputs, type SecretRotationSpec } from "../../../contract/rotation";
import { DEFAULT_LOCAL_STATE_DIR, formatBackendAddress } from "../../../contract/state-address";
import * as path from "node:path";
import { StateConflictError } from "../../state";
import type { HookContext } from "../runtime/context";
import { describeApp, describeSecretReference, XERO_APP_MANAGEMENT_URL } from "../runtime/errors";
import type { HookRun } from "../runtime/inputs";
import type { KindHooks } from "../runtime/kind-hooks";
import { checkAppSecret } from "../runtime/preflight";
import { recordApply } from "../runtime/record";
import type { HookResult } from "../runtime/result";
import { retireDocument } from "../runtime/retire";
import { RotationDocument, type RotationSnapshot } from "./document";
import {
  RotationCandidateRejectedError,
  RotationNothingToBootstrapError,
  RotationOverdueError,
  RotationUnsettledError,
  portalSteps,
} from "./errors";
import { failpointsFrom, type Failpoints } from "./failpoints";
import { proveClientSecret, type RotatedApp } from "../app/prove-secret";
import { formatRfc3339, parseRfc3339 } from "../../clock";
import { nextRotationAction, rotationRecordOutputs, rotationSchedule } from "./decisions";
import { resolveSecret } from "../runtime/secret-reference";

/**
 * `hook apply` / `hook destroy` for a `XeroSecretRotation`: the staged, resumable rotation of one
 * app's client secret (issue 5; README.md "Secret rotation" has the rules and the reasoning).
 *
 * Everything runs under the rotation document's lock, one action per pass, each pass starting from
 * a fresh read, until nothing is left to do:
 * - bootstrap: no CURRENT and nothing staged: prove the app's declared secret, record it as CURRENT;
 * - test: record `testing`, prove PENDING; rejected: record `test_failed` and fail (CURRENT untouched);
 * - promote: one compare-and-swap: CURRENT := PENDING, PREVIOUS := old CURRENT, PENDING cleared;
 * - finish: drop PREVIOUS once keepPrevious has passed;
 * then the maxAge policy (warn from 80%, warn or fail once overdue) and the run's record
 * (`generation`, `due_at` always in the future).
 */

/** Passes after which the loop stops: each pass completes a step, so this only trips on a writer that keeps racing us. */
const MAX_PASSES = 12;

function rotatedAppOf(spec: SecretRotationSpec): RotatedApp {
  return { appName: spec.app.appName, clientId: spec.app.clientId, appKind: spec.app.appKind };
}

/**
 * The `--backend` flag of the printed `secret stage` command. The operator runs it from the project
 * root, while a local backend's dir is relative to the stack directory the hook runs in: rewrite it,
 * and leave it out for the default directory.
 */
function backendFlag(spec: SecretRotationSpec, ctx: HookContext): string {
  const backend = spec.app.backend;
  if (backend.type === "pg") return ` --backend ${formatBackendAddress(backend)}`;
  const fromRoot = path.relative(ctx.projectRoot, path.resolve(ctx.cwd, backend.dir)).split(path.sep).join("/") || ".";
  return fromRoot === DEFAULT_LOCAL_STATE_DIR ? "" : ` --backend local:${fromRoot}`;
}

export async function applyRotation(spec: SecretRotationSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const failpoint = failpointsFrom(ctx.env);
  const backend = await ctx.backend(spec.backend);
  const doc = new RotationDocument(backend, spec.document, ctx);
  return backend.withLock(spec.document, async () => {
    failpoint("locked");
    let snapshot = await doc.load();
    if (isForeignClient(spec, snapshot)) {
      ctx.warn(
        `cdktf-xero: warning: ${spec.document}: the rotation holds secrets of client id ${String(snapshot.stored?.values[RotationOutputs.names.clientId])}, ` +
          `but the app is now client id ${spec.app.clientId}; they are replaced once a secret of this client is proved ` +
          `(the history keeps their fingerprints).`,
      );
    }
    let tested: { readonly pending: string; readonly rotationId: string } | undefined;
    for (let pass = 1; ; pass += 1) {
      const action = nextRotationAction(secretsForDecision(spec, snapshot), snapshot.record, ctx.clock.now());
      if (tested !== undefined && snapshot.secrets.pending !== tested.pending && snapshot.secrets.current !== tested.pending) {
        ctx.warn(
          `cdktf-xero: warning: ${spec.document}: the candidate of rotation ${tested.rotationId} was removed or replaced while this ` +
            `run tested it; CURRENT is unchanged by it.`,
        );
        tested = undefined;
      }
      if (action.kind === "done") break;
      if (pass > MAX_PASSES) throw new RotationUnsettledError(spec.document, MAX_PASSES);
      try {
        if (action.kind === "bootstrap") snapshot = await bootstrap(spec, snapshot, doc, ctx, failpoint);
        else if (action.kind === "discard_pending") snapshot = await discardPending(spec, snapshot, doc, ctx);
        else if (action.kind === "finish") snapshot = await finish(spec, snapshot, doc, ctx, failpoint);
        else {
          tested = { pending: snapshot.secrets.pending ?? "", rotationId: snapshot.record.rotationId };
          snapshot = await testAndPromote(spec, snapshot, doc, ctx, failpoint);
        }
      } catch (error) {
        if (!(error instanceof StateConflictError)) throw error;
        // A writer that skipped the lock changed the document: start the pass again from what it wrote.
        snapshot = await doc.load();
      }
    }
    return finishRun(spec, run, snapshot, doc, ctx, failpoint);
  });
}

/**
 * Whether the document's CURRENT and PREVIOUS were recorded for another client id (the app was
 * registered again in the portal, or the code now names another app). They cannot be this client's:
 * decisions ignore them, and the next proved write (bootstrap or promotion) replaces them, so they
 * are dropped only once a secret of this client has been proved. A staged PENDING is tested as usual.
 */
function isForeignClient(spec: SecretRotationSpec, snapshot: RotationSnapshot): boolean {
  const recorded = snapshot.stored?.values[RotationOutputs.names.clientId];
  const holdsSecrets = snapshot.secrets.current !== undefined || snapshot.secrets.previous !== undefined;
  return holdsSecrets && typeof recorded === "string" && recorded !== "" && recorded !== spec.app.clientId;
}

/** The secrets decisions see: without another client's CURRENT and PREVIOUS. */
function secretsForDecision(spec: SecretRotationSpec, snapshot: RotationSnapshot): RotationSnapshot["secrets"] {
  if (!isForeignClient(spec, snapshot)) return snapshot.secrets;
  const { pending } = snapshot.secrets;
  return pending === undefined ? {} : { pending };
}

/** No CURRENT and nothing staged: the app's declared secret, once proved, becomes the first CURRENT. */
async function bootstrap(spec: SecretRotationSpec, from: RotationSnapshot, doc: RotationDocument, ctx: HookContext, failpoint: Failpoints) {
  const app = rotatedAppOf(spec);
  const reference = spec.app.clientSecret;
  if (reference.source === "state" && reference.document === spec.document) {
    throw new RotationNothingToBootstrapError(app, spec.document, portalSteps(app, spec.app.document, backendFlag(spec, ctx)));
  }
  const value = await resolveSecret(reference, app, spec.app.backend, ctx);
  const proof = await proveClientSecret(app, value, reference, ctx);
  if (!proof.valid) throw proof.error;
  failpoint("bootstrap-proved");
  const now = ctx.clock.now();
  const rotatedAt = formatRfc3339(now);
  const next = await doc.write(
    from,
    { current: value },
    { step: "bootstrapped", stepAt: formatRfc3339(now), rotatedAt, nextDue: nextDueOf(rotatedAt, spec), previousExpiresAt: "" },
    { [RotationOutputs.names.clientId]: spec.app.clientId },
  );
  failpoint("bootstrapped");
  ctx.say(
    `cdktf-xero: ${spec.document}: took the declared secret of ${describeApp(app)} (${describeSecretReference(reference)}) as CURRENT ` +
      `${next.record.currentFingerprint}; consumers read it from this document from now on.`,
  );
  return next;
}

async function discardPending(spec: SecretRotationSpec, from: RotationSnapshot, doc: RotationDocument, ctx: HookContext) {
  const { current, previous } = from.secrets;
  const next = await doc.write(
    from,
    { ...(current === undefined ? {} : { current }), ...(previous === undefined ? {} : { previous }) },
    { step: "pending_cleared", stepAt: formatRfc3339(ctx.clock.now()), pendingStagedAt: "" },
  );
  ctx.say(`cdktf-xero: ${spec.document}: the staged candidate is already CURRENT; dropped it, nothing to rotate.`);
  return next;
}

/** Records `testing`, proves PENDING, then promotes it in one compare-and-swap. */
async function testAndPromote(spec: SecretRotationSpec, from: RotationSnapshot, doc: RotationDocument, ctx: HookContext, failpoint: Failpoints) {
  const app = rotatedAppOf(spec);
  const pending = from.secrets.pending;
  if (pending === undefined) return from;
  const rotationId = from.record.rotationId === "" ? ctx.newId() : from.record.rotationId;
  const testing = await doc.write(from, from.secrets, { step: "testing", stepAt: formatRfc3339(ctx.clock.now()), rotationId });
  failpoint("testing-recorded");
  const source: SecretReference = { source: "state", document: spec.document, key: "pending" };
  const proof = await proveClientSecret(app, pending, source, ctx);
  if (!proof.valid) {
    const rejected = new RotationCandidateRejectedError(
      app,
      { document: spec.document, rotationId, fingerprint: testing.record.pendingFingerprint, during: "apply" },
      { cause: proof.error },
    );
    await doc.write(testing, testing.secrets, { step: "test_failed", stepAt: formatRfc3339(ctx.clock.now()) }).catch((error: unknown) => {
      // The rejection is what the operator must see; a lost race on the audit write changes nothing.
      if (!(error instanceof StateConflictError)) throw error;
    });
    throw rejected;
  }
  failpoint("tested");

  const now = ctx.clock.now();
  const rotatedAt = formatRfc3339(now);
  const old = isForeignClient(spec, testing) ? undefined : testing.secrets.current;
  const promoted = await doc.write(
    testing,
    { current: pending, ...(old === undefined ? {} : { previous: old }) },
    {
      step: "promoted",
      stepAt: rotatedAt,
      rotatedAt,
      nextDue: nextDueOf(rotatedAt, spec),
      previousExpiresAt: old === undefined ? "" : formatRfc3339(new Date(parseRfc3339(rotatedAt)!.getTime() + spec.keepPreviousSeconds * 1000)),
      pendingStagedAt: "",
    },
    { [RotationOutputs.names.clientId]: spec.app.clientId },
  );
  failpoint("promoted");
  const dropped = isForeignClient(spec, testing) ? undefined : testing.secrets.previous;
  const droppedUntil = parseRfc3339(testing.record.previousExpiresAt);
  if (dropped !== undefined && droppedUntil !== undefined && droppedUntil.getTime() > now.getTime()) {
    // One PREVIOUS is kept: a second rotation inside keepPrevious ends the first one's grace early.
    ctx.warn(
      `cdktf-xero: warning: ${spec.document}: the previous secret ${await doc.fingerprint(dropped)} was to stay recorded until ` +
        `${testing.record.previousExpiresAt}; this rotation replaced it early, so consumers still using it must move to CURRENT now.`,
    );
  }
  ctx.say(
    `cdktf-xero: ${spec.document}: rotation ${rotationId} promoted: CURRENT is now ${promoted.record.currentFingerprint}` +
      (old === undefined ? "." : `; PREVIOUS ${await doc.fingerprint(old)} stays recorded until ${promoted.record.previousExpiresAt}.`),
  );
  return promoted;
}

/** PREVIOUS has outlived keepPrevious: drop it, and say what to delete in the portal. */
async function finish(spec: SecretRotationSpec, from: RotationSnapshot, doc: RotationDocument, ctx: HookContext, failpoint: Failpoints) {
  const { current, previous } = from.secrets;
  const fingerprint = await doc.fingerprint(previous);
  const next = await doc.write(
    from,
    current === undefined ? {} : { current },
    { step: "finished", stepAt: formatRfc3339(ctx.clock.now()), previousExpiresAt: "" },
  );
  failpoint("finished");
  ctx.say(
    `cdktf-xero: ${spec.document}: dropped PREVIOUS ${fingerprint} (kept ${spec.keepPreviousSeconds} s after the rotation). ` +
      `If Xero still lists that secret for ${describeApp(rotatedAppOf(spec))}, delete it at ${XERO_APP_MANAGEMENT_URL}.`,
  );
  return next;
}

/** The maxAge policy, then the run's record: generation, the next due time, the read-back outputs. */
async function finishRun(
  spec: SecretRotationSpec,
  run: HookRun,
  snapshot: RotationSnapshot,
  doc: RotationDocument,
  ctx: HookContext,
  failpoint: Failpoints,
): Promise<HookResult> {
  const app = rotatedAppOf(spec);
  const now = ctx.clock.now();
  // A CURRENT with no readable rotated_at (written by hand) counts from now.
  const rotatedAt = parseRfc3339(snapshot.record.rotatedAt) ?? parseRfc3339(formatRfc3339(now))!;
  const schedule = rotationSchedule({
    rotatedAt,
    maxAgeSeconds: spec.maxAgeSeconds,
    previousExpiresAt: snapshot.secrets.previous === undefined ? undefined : parseRfc3339(snapshot.record.previousExpiresAt),
    now,
  });
  const nextDue = formatRfc3339(schedule.nextDue);
  const steps = portalSteps(app, spec.app.document, backendFlag(spec, ctx));
  if (schedule.overdue) {
    if (spec.onOverdue === "fail") throw new RotationOverdueError(app, spec.document, { ageDays: schedule.ageDays, nextDue, steps });
    ctx.warn(
      `cdktf-xero: warning: ${spec.document}: the client secret of ${describeApp(app)} is overdue: ${schedule.ageDays} days old, ` +
        `due since ${nextDue}. Rotate it: ${steps}.`,
    );
  } else if (schedule.warning) {
    ctx.warn(
      `cdktf-xero: warning: ${spec.document}: the client secret of ${describeApp(app)} is ${schedule.ageDays} days old and due ` +
        `on ${nextDue} (80% of maxAge reached). Rotate it before then: ${steps}.`,
    );
  }
  const record = { ...snapshot.record, rotatedAt: formatRfc3339(rotatedAt), nextDue, dueAt: formatRfc3339(schedule.dueAt, "up") };
  // recordApply writes the run's generation (never below a bump that arrived meanwhile).
  const { generation: _writtenByRecordApply, ...plain } = record;
  const result = await recordApply(spec, run, ctx, {
    outputs: RotationOutputs.encode({
      ...plain,
      previousFingerprint: await doc.fingerprint(snapshot.secrets.previous),
      clientId: spec.app.clientId,
      appName: spec.app.appName,
    }),
    summary:
      `${describeApp(app)}: CURRENT ${record.currentFingerprint} since ${record.rotatedAt}, due ${nextDue}` +
      (snapshot.secrets.previous === undefined ? "" : `, PREVIOUS kept until ${record.previousExpiresAt}`) +
      `; next scheduled check ${record.dueAt}`,
  });
  failpoint("recorded");
  return result;
}

/**
 * `hook destroy`: drops PENDING material (a candidate nobody will promote), keeps CURRENT and
 * PREVIOUS for consumers, and retires the document, following the retire rules (only for its own run).
 */
export async function destroyRotation(spec: SecretRotationSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const backend = await ctx.backend(spec.backend);
  const doc = new RotationDocument(backend, spec.document, ctx);
  return retireDocument(spec, run, ctx, {
    beforeRetire: async () => {
      const snapshot = await doc.load();
      const { current, previous, pending } = snapshot.secrets;
      if (pending === undefined) return;
      await doc.write(
        snapshot,
        { ...(current === undefined ? {} : { current }), ...(previous === undefined ? {} : { previous }) },
        { step: "pending_cleared", stepAt: formatRfc3339(ctx.clock.now()), pendingStagedAt: "" },
      );
      ctx.say(`cdktf-xero: ${spec.document}: dropped the staged candidate of rotation ${snapshot.record.rotationId || "?"}.`);
    },
    afterRetire: () =>
      ctx.say(
        `cdktf-xero: ${spec.document}: CURRENT (and PREVIOUS, if any) stay recorded for consumers, and the app's hooks keep ` +
          `using CURRENT while this document holds it.`,
      ),
  });
}

/** A `XeroSecretRotation`'s hooks; init checks it can seal secrets, then its app's secret. */
export const rotationHooks: KindHooks<SecretRotationSpec> = {
  readyChecks: (spec, ctx) => [
    async () => (await ctx.backend(spec.backend)).checkCanSealSecrets(spec.document),
    () =>
      checkAppSecret(spec.document, { description: spec.app, document: spec.app.document, backend: spec.app.backend, reference: spec.app.clientSecret }, ctx),
  ],
  apply: applyRotation,
  destroy: destroyRotation,
};

function nextDueOf(rotatedAt: string, spec: SecretRotationSpec): string {
  return formatRfc3339(new Date(parseRfc3339(rotatedAt)!.getTime() + spec.maxAgeSeconds * 1000));
}

